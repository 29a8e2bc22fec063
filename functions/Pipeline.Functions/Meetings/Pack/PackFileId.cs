using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Pipeline.Functions.Meetings;

/// <summary>
/// The second part of the pack's file identifier (trailer /ID; the first part is front.pdf's, which qpdf keeps).
/// qpdf's <c>--deterministic-id</c> would MD5 the whole output, every scan of every document: about a third of qpdf's
/// time on a 400-page pack. Instead qpdf writes its fixed placeholder (<c>--static-id</c>) and this replaces it, in
/// place, with a hash of what the pack is made of: front.pdf and stamps.pdf as written (they carry the plan and the
/// watermark) and each document's path, length and modification time (archive PDFs live in the content-addressed
/// blob store and are never rewritten). Same inputs, same bytes; a different pack, a different id.
/// </summary>
internal static class PackFileId
{
    /// <summary>What qpdf 11 writes for <c>--static-id</c>.</summary>
    private const string Placeholder = "<31415926535897932384626433832795>";

    /// <summary>32 hex digits identifying the pack built from these files.</summary>
    public static string Compute(IEnumerable<string> generated, IEnumerable<string> documents)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var file in generated)
        {
            hash.AppendData(File.ReadAllBytes(file)); // tens to hundreds of KB: the pack's own pages
        }
        foreach (var document in documents)
        {
            var info = new FileInfo(document);
            hash.AppendData(Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture,
                $"{info.FullName}\n{info.Length}\n{info.LastWriteTimeUtc.Ticks}\n")));
        }
        return Convert.ToHexStringLower(hash.GetHashAndReset(), 0, 16);
    }

    /// <summary>Replaces qpdf's placeholder in the trailer at the end of <paramref name="pdf"/> with <paramref name="id"/>
    /// (same length, so no offset moves).</summary>
    /// <exception cref="InvalidOperationException">The trailer has no placeholder (not what qpdf 11 writes).</exception>
    public static void Replace(string pdf, string id)
    {
        using var file = new FileStream(pdf, FileMode.Open, FileAccess.ReadWrite, FileShare.None);
        var tail = new byte[(int)Math.Min(file.Length, 4096)]; // xref's end and the trailer
        file.Position = file.Length - tail.Length;
        file.ReadExactly(tail);
        var at = tail.AsSpan().LastIndexOf(Encoding.ASCII.GetBytes(Placeholder));
        if (at < 0) throw new InvalidOperationException("qpdf wrote no placeholder /ID to replace in the pack's trailer.");
        file.Position = file.Length - tail.Length + at + 1;
        file.Write(Encoding.ASCII.GetBytes(id));
    }
}
