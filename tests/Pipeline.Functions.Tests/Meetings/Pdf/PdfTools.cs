using System.Globalization;
using System.Text.RegularExpressions;
using Pipeline.Functions.Digitise;
using Pipeline.Functions.Meetings.Pdf;

namespace Pipeline.Functions.Tests.Meetings.Pdf;

/// <summary>Writes PDFs into a temporary directory and reads them back with the Debian tools a user would use
/// (poppler's pdftotext/pdffonts/pdfinfo, qpdf).</summary>
internal sealed partial class PdfTools : IDisposable
{
    public string Directory { get; } = System.IO.Directory.CreateTempSubdirectory("pipeline-meeting-pdf-").FullName;

    public void Dispose() => PipelineApp.DeleteDirectory(Directory);

    /// <summary>Writes a PDF drawn by <paramref name="draw"/> to a file and returns its path.</summary>
    public string Write(string name, Action<PdfWriter> draw)
    {
        var path = Path.Combine(Directory, name);
        using var file = File.Create(path);
        using var writer = new PdfWriter(file);
        draw(writer);
        writer.Finish();
        return path;
    }

    public static byte[] Bytes(Action<PdfWriter> draw)
    {
        using var memory = new MemoryStream();
        using (var writer = new PdfWriter(memory))
        {
            draw(writer);
            writer.Finish();
        }
        return memory.ToArray();
    }

    /// <summary>Runs a tool that must succeed and returns what it printed.</summary>
    public static async Task<string> Run(string tool, params string[] arguments)
    {
        var result = await ExternalTool.RunAsync(tool, arguments);
        Assert.True(result.ExitCode == 0, $"{tool} {string.Join(' ', arguments)} exited {result.ExitCode}: {result.Errors}");
        return result.Output;
    }

    public static Task<string> Text(string pdf, params string[] options) => Run("pdftotext", [.. options, "-enc", "UTF-8", pdf, "-"]);

    /// <summary>pdfinfo's "Key: value" lines.</summary>
    public static async Task<Dictionary<string, string>> Info(string pdf, params string[] options)
        => (await Run("pdfinfo", [.. options, pdf])).Split('\n').Where(l => l.Contains(':'))
            .Select(l => l.Split(':', 2)).ToDictionary(p => p[0], p => p[1].Trim());

    /// <summary>The words pdftotext finds, with their boxes (points, origin top left).</summary>
    public static async Task<List<Word>> Words(string pdf, params string[] options)
    {
        var html = await Run("pdftotext", [.. options, "-bbox", "-enc", "UTF-8", pdf, "-"]);
        return WordPattern().Matches(html).Select(m => new Word(
            System.Net.WebUtility.HtmlDecode(m.Groups[5].Value),
            Double(m.Groups[1]), Double(m.Groups[2]), Double(m.Groups[3]), Double(m.Groups[4]))).ToList();

        static double Double(Group g) => double.Parse(g.Value, CultureInfo.InvariantCulture);
    }

    public sealed record Word(string Text, double XMin, double YMin, double XMax, double YMax);

    [GeneratedRegex("""<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>""")]
    private static partial Regex WordPattern();
}
