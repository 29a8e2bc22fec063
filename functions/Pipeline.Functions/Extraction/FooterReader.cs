using System.Text.RegularExpressions;
using Pipeline.Functions.Digitise;

namespace Pipeline.Functions.Extraction;

/// <summary>What the last page's footer says.</summary>
internal sealed record Footer(ExtractedField Authority, ExtractedField Title, ExtractedField Signer, ExtractedList Recipients);

/// <summary>
/// Reads the footer: "Nơi nhận:" and its items bottom left; the authority line, title and name bottom right.
/// </summary>
internal static partial class FooterReader
{
    private static readonly List<(string Key, string Exact, string Value)> TitleIndex = Fuzzy.Index(Lexicon.Titles);
    private static readonly List<(string Key, string Exact, string Value)> AuthorityIndex = Fuzzy.Index(Lexicon.Authorities);
    private static readonly List<(string Key, string Exact, string Value)> UsualRecipients = Fuzzy.Index(Lexicon.Recipients);
    private static readonly string NoiNhan = Fuzzy.Key("Nơi nhận");

    public static Footer Read(IReadOnlyList<IReadOnlyList<LayoutRow>> pages, IReadOnlyList<int> widths, string? kind)
    {
        // The footer is on the last page that has "Nơi nhận", usually the last page.
        for (var p = pages.Count - 1; p >= 0; p--)
        {
            var rows = pages[p];
            var anchor = rows.ToList().FindIndex(r => r.Segments.Count > 0 && StartsWithNoiNhan(r.Segments[0].Text));
            if (anchor < 0) continue;
            var split = widths[p] * 0.5;
            var recipients = ReadRecipients(rows, anchor, split);
            var (authority, title, signer) = ReadSignature(rows.Skip(Math.Max(0, anchor - 1)).ToList(), split, kind);
            return new Footer(authority, title, signer, recipients);
        }
        // No "Nơi nhận" (misread beyond repair): the signature block is still bottom right of the last page.
        var last = pages[^1];
        var sig = ReadSignature(last.Where(r => r.Top > 0).Skip(last.Count / 2).ToList(), widths[^1] * 0.5, kind);
        return new Footer(sig.Authority, sig.Title, sig.Signer, ExtractedList.Unread);
    }

    internal static bool StartsWithNoiNhan(string text)
    {
        var key = Fuzzy.Key(text);
        return key.Length >= NoiNhan.Length && Fuzzy.Distance(key[..NoiNhan.Length], NoiNhan, 2) <= 2;
    }

    private static ExtractedList ReadRecipients(IReadOnlyList<LayoutRow> rows, int anchor, double split)
    {
        var items = new List<(string Text, double Ocr)>();
        LayoutSegment? previous = null;
        for (var i = anchor; i < rows.Count; i++)
        {
            if (rows[i].LeftOf(split) is not { } segment) continue;
            var text = segment.Text;
            if (i == anchor)
            {
                var colon = text.IndexOf(':');
                text = colon >= 0 ? text[(colon + 1)..] : "";
                if (text.Trim().Length == 0) { previous = segment; continue; }
            }
            if (previous is not null && segment.Top - previous.Bottom > 2.5 * PageLayout.MedianHeight(segment.Words)) break;
            text = text.Trim();
            // Items end in ',' or ';' (the last in '.'): after one, a capitalised line is a new item whose dash OCR lost.
            var newItem = ItemMark().IsMatch(text)
                || items.Count > 0 && items[^1].Text.TrimEnd().EndsWith(',') | items[^1].Text.TrimEnd().EndsWith(';') && text.Length > 0 && char.IsUpper(text[0]);
            if (newItem) items.Add((ItemMark().Replace(text, ""), segment.MinConfidence));
            else if (items.Count > 0) items[^1] = (items[^1].Text + " " + text, Math.Min(items[^1].Ocr, segment.MinConfidence));
            else break;
            previous = segment;
        }
        if (items.Count == 0) return ExtractedList.Unread;
        var values = new List<string>();
        var confidence = 1.0;
        foreach (var (raw, ocr) in items)
        {
            var repaired = TextRepair.Repair(raw.Trim().TrimEnd(',', ';', '.', ' '));
            var item = repaired.Text.Trim().TrimEnd(',', ';', '.');
            // The usual recipients are few and fixed; one within a letter or two of a reading is that reading.
            var usual = Fuzzy.Best(item, UsualRecipients, 0.12);
            if (usual is { Unique: true })
            {
                values.Add(usual.Value);
                confidence = Math.Min(confidence, usual.Exact ? 0.98 : 0.93);
                continue;
            }
            values.Add(item);
            confidence = Math.Min(confidence, (repaired.Checked >= 1 ? 0.9 : 0.6) * Math.Min(1, ocr + 0.1));
        }
        return new ExtractedList(values, Math.Round(confidence, 3));
    }

    private static (ExtractedField Authority, ExtractedField Title, ExtractedField Signer) ReadSignature(
        IReadOnlyList<LayoutRow> rows, double split, string? kind)
    {
        var right = rows.Select(r => r.RightOf(split)).OfType<LayoutSegment>().ToList();
        ExtractedField authority = new(null, 0), title = ExtractedField.Unread, signer = ExtractedField.Unread;
        var titleAt = -1;
        for (var i = 0; i < right.Count && titleAt < 0; i++)
        {
            var text = right[i].Text;
            if (AuthorityPrefix().Match(text) is { Success: true } prefix && authority.Value is null)
            {
                var rest = text[prefix.Length..].Trim();
                var match = Fuzzy.Best(rest, AuthorityIndex, 0.25);
                if (match is { Unique: true })
                {
                    var mark = AuthorityMark(prefix.Groups[1].Value, kind);
                    authority = new ExtractedField($"{mark} {match.Value}", match.Exact && mark == prefix.Groups[1].Value.ToUpperInvariant() ? 0.98 : 0.9);
                    continue;
                }
            }
            var title_ = Fuzzy.Best(text, TitleIndex, 0.25);
            if (title_ is { Unique: true })
            {
                title = new ExtractedField(title_.Value, title_.Exact ? 0.98 : title_.FoldDistance == 0 ? 0.95 : 0.85);
                titleAt = i;
            }
        }
        if (titleAt < 0)
        {
            // The stamp over the signature can hide the authority and title from OCR; the name under it stays readable.
            for (var i = right.Count - 1; i >= 0; i--)
                if (PersonalName.Read(right[i]) is { } alone) return (ExtractedField.Unread, title, alone with { Confidence = Math.Round(alone.Confidence * 0.85, 3) });
            return (ExtractedField.Unread, title, signer);
        }
        // No authority line above the title: the head signs in their own name (state GIÁM ĐỐC…).
        if (authority.Value is null) authority = new ExtractedField(null, titleAt == 0 ? 0.95 : 0.6);
        // The name is the lowest line of capitalised words under the title; signature strokes and the stamp
        // between them read as noise.
        for (var i = right.Count - 1; i > titleAt; i--)
        {
            var name = PersonalName.Read(right[i]);
            if (name is not null) { signer = name; break; }
        }
        // The block is centred on one axis: a title whose centre is off that axis lost a word (PHÓ BÍ THƯ read as BÍ THƯ).
        var axis = new[] { authority.Value is null ? null : right.FirstOrDefault(r => AuthorityPrefix().IsMatch(r.Text)), right.LastOrDefault(r => PersonalName.Read(r) is not null && signer.Value is not null) }
            .OfType<LayoutSegment>().Select(r => r.Centre).ToList();
        if (axis.Count > 0 && Math.Abs(right[titleAt].Centre - axis.Average()) > 0.7 * PageLayout.MedianHeight(right[titleAt].Words))
            title = title with { Confidence = Math.Min(title.Confidence, 0.5) };
        return (authority, title, signer);
    }

    /// <summary>
    /// The authority mark in the format's spelling: the state writes TM., KT., TL., TUQ., Q.; the Party T/M,
    /// K/T, T/L — OCR drops the dot or the slash, the kind of document puts it back.
    /// </summary>
    private static string AuthorityMark(string read, string? kind)
    {
        var letters = new string(read.ToUpperInvariant().Where(char.IsLetter).ToArray());
        if (kind == "party" && letters is "TM" or "KT" or "TL") return $"{letters[0]}/{letters[1]}";
        if (kind == "state" || letters is "TUQ" or "Q") return letters + ".";
        return read.ToUpperInvariant();
    }

    [GeneratedRegex(@"^\s*(T\s*[/.]?\s*M\.?|K\s*[/.]?\s*T\.?|T\s*[/.]?\s*L\.?|TUQ\.?|Q\.)\s+", RegexOptions.IgnoreCase)]
    private static partial Regex AuthorityPrefix();

    [GeneratedRegex(@"^[-–—~•+*]\s*")]
    private static partial Regex ItemMark();
}
