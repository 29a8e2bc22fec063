using System.Globalization;
using System.Text.RegularExpressions;
using Pipeline.Functions.Digitise;

namespace Pipeline.Functions.Extraction;

/// <summary>What the first page's header says.</summary>
internal sealed record Header(
    string? Kind, ExtractedField Issuer, DocumentNumber? Number, double NumberConfidence,
    ExtractedField Place, ExtractedField Date, string? TitleType, double TitleConfidence,
    ExtractedField Summary, ExtractedField Secrecy, ExtractedField Urgency);

/// <summary>
/// Reads the header of the first page: issuer and number top left, heading and date top right, stamps under the
/// number, then the centred title and trích yếu (or the V/v lines under the number of a công văn).
/// </summary>
internal static partial class HeaderReader
{
    private static readonly List<(string Key, string Exact, string Value)> BodyIndex = Fuzzy.Index(BodyLines());
    private static readonly List<(string Key, string Exact, string Value)> PlaceIndex = Fuzzy.Index(Lexicon.Places.SelectMany(p => p));

    public static Header Read(OcrPage page, IReadOnlyList<LayoutRow> rows)
    {
        var heading = Heading.Find(rows, page.Width);
        var split = heading.ColumnSplit;
        var headerRows = rows.Where(r => r.Top < page.Height * 0.45).ToList();

        // The number line: "Số" and a code, in the left column.
        var numberIndex = headerRows.FindIndex(r => r.LeftOf(split) is { } l && IsNumberLine(l.Text));
        var numberRow = numberIndex >= 0 ? headerRows[numberIndex] : null;
        var kind = heading.Kind;
        DocumentNumber? number = null;
        var numberConfidence = 0.0;
        if (numberRow?.LeftOf(split) is { } numberSegment)
        {
            var afterSo = NumberPrefix().Replace(numberSegment.Text, "");
            number = DocumentNumber.Parse(afterSo, code => DocumentTypes.CanonicalCode(code, kind ?? "state", null) is not null);
            numberConfidence = numberSegment.Words.Where(w => w.Text.Any(char.IsDigit)).Select(w => w.Confidence).DefaultIfEmpty(0).Min();
        }
        kind ??= number?.Party switch { true => "party", false => "state", null => null };

        var issuer = ReadIssuer(headerRows.Take(numberIndex >= 0 ? numberIndex : Math.Min(3, headerRows.Count)), split);
        var (place, date) = ReadDateLine(headerRows, split);
        var titleIndex = FindTitle(headerRows, numberIndex, kind, page.Width, out var titleType, out var titleConfidence);
        var stampRows = headerRows.Skip(numberIndex + 1).Take(titleIndex >= 0 ? titleIndex - numberIndex - 1 : 4).ToList();
        // Stamps sit in a space of their own between the number and the title: about six letter heights, against
        // three or four without one. A wide space with nothing read in it means OCR missed a stamp.
        double? space = numberRow is not null && titleIndex >= 0
            ? (headerRows[titleIndex].Top - numberRow.Bottom) / Math.Max(1.0, PageLayout.MedianHeight(numberRow.Words)) : null;
        var (secrecy, urgency) = Stamps.Read(stampRows, split, space);
        var summary = titleIndex >= 0
            ? ReadTitledSummary(rows, rows.ToList().IndexOf(headerRows[titleIndex]), page.Width)
            : ReadVvSummary(headerRows, numberIndex, split);
        return new Header(kind, issuer, number, numberConfidence, place, date, titleType, titleConfidence, summary, secrecy, urgency);
    }

    private static bool IsNumberLine(string text) => NumberPrefix().IsMatch(text) && text.Any(char.IsDigit)
        || CodeShape().IsMatch(text.Replace(" ", ""));

    /// <summary>The issuer lines: left column above the number, each matched to a known body (with a place).</summary>
    private static ExtractedField ReadIssuer(IEnumerable<LayoutRow> rows, double split)
    {
        var lines = new List<string>();
        var confidence = 1.0;
        foreach (var row in rows)
        {
            if (row.LeftOf(split) is not { } segment) continue;
            var text = Regex.Replace(segment.Text, @"^[^\p{L}\p{N}]+|[^\p{L}\p{N}]+$", "");
            if (text.Count(char.IsLetter) < 2) continue; // the '*' under a Party issuer, rules, specks
            var match = Fuzzy.Best(text, BodyIndex, 0.25);
            if (match is not null && match.Unique)
            {
                lines.Add(match.Value);
                confidence = Math.Min(confidence, match.Exact ? 0.99 : match.FoldDistance == 0 ? 0.96 : match.FoldDistance <= 1 ? 0.9 : 0.75);
            }
            else if (segment.MeanConfidence >= 0.5 && text.Count(char.IsLetter) >= 4 && text == text.ToUpperInvariant())
            {
                // An issuer the lexicon does not know: kept as read, for a reviewer.
                lines.Add(text);
                confidence = Math.Min(confidence, 0.6 * segment.MinConfidence);
            }
        }
        return lines.Count == 0 ? ExtractedField.Unread : new ExtractedField(string.Join('\n', lines), lines.Count == 1 ? confidence * 0.8 : confidence);
    }

    /// <summary>"Place, ngày dd tháng m năm yyyy" in the right column.</summary>
    private static (ExtractedField Place, ExtractedField Date) ReadDateLine(IReadOnlyList<LayoutRow> rows, double split)
    {
        foreach (var row in rows)
        {
            if (row.RightOf(split) is not { } segment) continue;
            var words = segment.Words;
            var ngay = words.ToList().FindIndex(w => Fuzzy.Key(w.Text) is "ngay" or "ngy" or "ngav" or "ngáy");
            if (ngay < 0) continue;
            var numbers = words.Skip(ngay + 1).Select(w => Digits(w.Text)).Where(d => d.Length > 0).ToList();
            if (numbers.Count < 3) continue;
            var placeWords = words.Take(ngay).ToList();
            var place = ReadPlace(placeWords);
            var date = ReadDate(numbers[0], numbers[1], numbers[2], words.Skip(ngay).Min(w => w.Confidence));
            return (place, date);
        }
        return (ExtractedField.Unread, ExtractedField.Unread);
    }

    private static ExtractedField ReadPlace(List<OcrWord> words)
    {
        if (words.Count == 0) return ExtractedField.Unread;
        var text = string.Join(' ', words.Select(w => w.Text)).TrimEnd(',', '.', ' ');
        var match = Fuzzy.Best(text, PlaceIndex, 0.2);
        var ocr = words.Min(w => w.Confidence);
        if (match is not null && match.Unique)
        {
            return new ExtractedField(match.Value, match.Exact ? 0.98 : match.FoldDistance == 0 ? 0.95 : 0.8);
        }
        // A place the lexicon does not know: trusted as far as its syllables are real and OCR was sure.
        var real = text.Split(' ').All(Lexicon.IsSyllable);
        return new ExtractedField(text, real ? 0.85 * ocr : 0.5 * ocr);
    }

    /// <summary>
    /// The date, only when it exists in the calendar. The formats zero-pad days below 10 and months 1–2 and
    /// nothing else, so a differently written date is likely misread and gets less confidence.
    /// </summary>
    internal static ExtractedField ReadDate(string day, string month, string year, double ocrConfidence)
    {
        if (!int.TryParse(day, out var d) || !int.TryParse(month, out var m) || !int.TryParse(year, out var y)) return ExtractedField.Unread;
        if (y < 1945 || y > 2100 || m < 1 || m > 12 || d < 1 || d > DateTime.DaysInMonth(y, m)) return ExtractedField.Unread;
        var formatted = day.Length == 2 && (m <= 2 ? month.Length == 2 : month == m.ToString(CultureInfo.InvariantCulture)) && year.Length == 4;
        var iso = new DateOnly(y, m, d).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        return new ExtractedField(iso, (formatted ? 0.97 : 0.6) * Math.Min(1, ocrConfidence + 0.1));
    }

    private static string Digits(string text)
    {
        var mapped = new string(text.Select(c => c switch { 'O' or 'o' => '0', 'l' or 'I' or '|' => '1', _ => c }).ToArray());
        var trimmed = mapped.Trim(',', '.', ';', ':');
        return trimmed.Length > 0 && trimmed.All(char.IsDigit) ? trimmed : "";
    }

    /// <summary>The title line: centred below the number, the type name in capitals.</summary>
    private static int FindTitle(List<LayoutRow> rows, int numberIndex, string? kind, int width, out string? type, out double confidence)
    {
        var index = DocumentTypes.TitleIndex(kind);
        for (var i = Math.Max(0, numberIndex + 1); i < rows.Count; i++)
        {
            var text = rows[i].Text;
            if (text.Count(char.IsLetter) < 4 || text.Any(char.IsLower) && text.Count(char.IsLower) > 2) continue;
            var match = Fuzzy.Best(text, index, 0.25);
            if (match is null || !match.Unique) continue;
            type = match.Value;
            confidence = match.Exact ? 0.99 : match.FoldDistance == 0 ? 0.95 : 0.8;
            return i;
        }
        type = null;
        confidence = 0;
        return -1;
    }

    /// <summary>The trích yếu under the title: the centred lines that follow it, before the body's first indent.</summary>
    private static ExtractedField ReadTitledSummary(IReadOnlyList<LayoutRow> rows, int titleIndex, int width)
    {
        var (leftMargin, rightMargin) = Margins(rows, width);
        var lines = new List<LayoutRow>();
        var title = rows[titleIndex];
        var titleCentre = (title.Words.Min(w => w.Left) + title.Words.Max(w => w.Left + w.Width)) / 2.0;
        var leading = 0.0;
        for (var i = titleIndex + 1; i < rows.Count && lines.Count < 5; i++)
        {
            var row = rows[i];
            var previous = lines.Count == 0 ? title : lines[^1];
            var height = PageLayout.MedianHeight(row.Words);
            var gap = row.Top - previous.Bottom;
            // The trích yếu's lines follow each other closely; a rule and a wider space part it from the body,
            // whose first line can look centred too.
            if (gap > (lines.Count == 0 ? 1.2 * height : 1.6 * Math.Max(leading, 0.25 * height))) break;
            var centre = (row.Words.Min(w => w.Left) + row.Words.Max(w => w.Left + w.Width)) / 2.0;
            if (Math.Abs(centre - titleCentre) > 0.03 * width) break;
            if (lines.Count == 0) leading = Math.Max(gap, 0);
            lines.Add(row);
        }
        return SummaryOf(lines.SelectMany(r => r.Words).ToList());
    }

    /// <summary>A công văn's "V/v …" lines under the number, left column.</summary>
    private static ExtractedField ReadVvSummary(List<LayoutRow> rows, int numberIndex, double split)
    {
        if (numberIndex < 0) return ExtractedField.Unread;
        var words = new List<OcrWord>();
        LayoutSegment? previous = null;
        for (var i = numberIndex + 1; i < rows.Count; i++)
        {
            if (rows[i].LeftOf(split) is not { } segment) continue;
            if (previous is null)
            {
                if (!VvPrefix().IsMatch(segment.Text)) break;
            }
            else if (segment.Top - previous.Bottom > 1.2 * PageLayout.MedianHeight(segment.Words) || Stamps.IsStamp(segment.Text)) break;
            words.AddRange(segment.Words);
            previous = segment;
        }
        return words.Count == 0 ? ExtractedField.Unread : SummaryOf(words);
    }

    private static ExtractedField SummaryOf(List<OcrWord> words)
    {
        if (words.Count == 0) return ExtractedField.Unread;
        var text = string.Join(' ', words.Select(w => w.Text));
        var lead = text.Split(' ')[0];
        var rest = text[lead.Length..].TrimStart();
        // The lead word is fixed by the format: "Về" (stored lower-case, as the metadata does) or "V/v".
        string leadWord;
        if (VvPrefix().IsMatch(lead)) leadWord = "V/v";
        else if (Fuzzy.Key(lead) == "ve") leadWord = "về";
        else { leadWord = ""; rest = text; }
        var repaired = TextRepair.Repair(rest);
        var value = (leadWord + " " + repaired.Text).Trim();
        var ocr = words.Skip(1).Select(w => w.Confidence).DefaultIfEmpty(0).Min();
        var confidence = (leadWord.Length > 0 ? 1 : 0.7) * (repaired.Checked >= 1 ? 1 : 0.6) * Math.Min(1, ocr + 0.2) * (repaired.Corrected ? 0.92 : 1);
        return new ExtractedField(value, Math.Round(confidence, 3));
    }

    private static (double Left, double Right) Margins(IReadOnlyList<LayoutRow> rows, int width)
    {
        var wide = rows.Where(r => r.Words.Max(w => w.Left + w.Width) - r.Words.Min(w => w.Left) > 0.55 * width).ToList();
        if (wide.Count < 3) return (width * 0.14, width * 0.91);
        var lefts = wide.Select(r => r.Words.Min(w => w.Left)).Order().ToList();
        var rights = wide.Select(r => r.Words.Max(w => w.Left + w.Width)).Order().ToList();
        return (lefts[lefts.Count / 2], rights[rights.Count * 3 / 4]);
    }

    private static IEnumerable<string> BodyLines()
    {
        foreach (var body in Lexicon.Bodies)
        {
            if (!body.EndsWith(" +", StringComparison.Ordinal)) { yield return body; continue; }
            var head = body[..^2];
            var places = head.EndsWith("TỈNH", StringComparison.Ordinal) || head.EndsWith("THÀNH PHỐ", StringComparison.Ordinal) || head is "TỈNH ỦY" or "THÀNH ỦY"
                ? Lexicon.Provinces : Lexicon.Places;
            foreach (var spelling in places.SelectMany(p => p)) yield return head + " " + spelling.ToUpperInvariant();
        }
    }

    [GeneratedRegex(@"^\s*(S[ốoóòôồổỗộ06ỏõọớờởỡợ]|5[ốoô6]|SỐ|SO)\s*[:.;]?\s*", RegexOptions.IgnoreCase)]
    private static partial Regex NumberPrefix();

    [GeneratedRegex(@"^\d{1,5}[-/][A-Za-zĐđ]{1,5}[-/]")]
    private static partial Regex CodeShape();

    [GeneratedRegex(@"^[VY][/lI1|][vy]", RegexOptions.IgnoreCase)]
    private static partial Regex VvPrefix();
}
