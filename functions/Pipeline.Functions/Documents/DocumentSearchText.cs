using System.Text;
using Pipeline.Functions.Digitise;

namespace Pipeline.Functions.Documents;

/// <summary>
/// How documents and queries meet in the FTS5 index: both are folded (<see cref="VietnameseText.Fold"/>: lower case,
/// no diacritics, đ→d), so <c>nghi quyet 57</c> finds <c>Nghị quyết 57-NQ/TW</c>.
/// </summary>
public static class DocumentSearchText
{
    /// <summary>The indexed content of a document: its file name, fields and text, folded.</summary>
    public static string IndexContent(string fileName, IEnumerable<string?> fieldValues, string text)
    {
        var content = new StringBuilder(VietnameseText.Fold(fileName));
        foreach (var value in fieldValues)
            if (!string.IsNullOrWhiteSpace(value)) content.Append('\n').Append(VietnameseText.Fold(value));
        return content.Append('\n').Append(VietnameseText.Fold(text)).ToString();
    }

    /// <summary>
    /// An FTS5 query finding documents that contain every word of <paramref name="text"/> (the last one also as a
    /// prefix, for search-as-you-type); null when there are no words. Words are quoted, so FTS5 operators typed by
    /// a user are searched for, not obeyed.
    /// </summary>
    public static string? ToFtsQuery(string? text)
    {
        if (string.IsNullOrWhiteSpace(text)) return null;
        var words = new List<string>();
        var word = new StringBuilder();
        foreach (var c in VietnameseText.Fold(text) + " ")
        {
            if (char.IsLetterOrDigit(c)) { word.Append(c); continue; }
            if (word.Length > 0) words.Add(word.ToString());
            word.Clear();
        }
        if (words.Count == 0) return null;
        return string.Join(' ', words.Select((w, i) => i == words.Count - 1 ? $"\"{w}\"*" : $"\"{w}\""));
    }
}
