using System.Globalization;
using System.Text;

namespace Pipeline.Functions.Digitise;

/// <summary>Reads Tesseract's TSV output (level, page, block, par, line, word, left, top, width, height, conf, text).</summary>
public static class TesseractTsv
{
    /// <summary>Parses one page of TSV into words and text.</summary>
    public static OcrPage Parse(string tsv)
    {
        var words = new List<OcrWord>();
        int width = 0, height = 0;
        foreach (var line in tsv.Split('\n'))
        {
            var f = line.TrimEnd('\r').Split('\t');
            if (f.Length < 12 || !int.TryParse(f[0], out var level)) continue; // header or blank
            if (level == 1)
            {
                width = Int(f[8]);
                height = Int(f[9]);
                continue;
            }
            if (level != 5) continue;
            var text = VietnameseText.Normalize(f[11].Trim());
            if (text.Length == 0) continue;
            var confidence = double.TryParse(f[10], NumberStyles.Float, CultureInfo.InvariantCulture, out var c) ? Math.Clamp(c / 100.0, 0, 1) : 0;
            words.Add(new OcrWord(text, Int(f[6]), Int(f[7]), Int(f[8]), Int(f[9]), confidence, Int(f[2]), Int(f[3]), Int(f[4])));
        }
        return new OcrPage(width, height, words, OcrPage.TextOf(words));
    }


    private static int Int(string s) => int.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) ? v : 0;
}
