using System.Globalization;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using static Pipeline.Functions.Meetings.Pdf.PdfObjects;

namespace Pipeline.Functions.Meetings.Pdf;

/// <summary>
/// Writes a PDF 1.7 file page by page: meeting-pack cover and divider pages, stamp overlays, minutes.
/// Text is set in embedded, subsetted TrueType fonts (Type0/Identity-H with a ToUnicode map), so any Vietnamese
/// text comes back exactly (NFC) from copy-paste and pdftotext.
/// </summary>
/// <remarks>
/// <para>Streaming: each page is compressed and written to the output when the next page is added or at
/// <see cref="Finish"/>; only the current page, the font glyphs used and one number per object are kept, so memory
/// stays small however many pages there are. Fonts, the page tree and the bookmarks are written at <see cref="Finish"/>.</para>
/// <para>Deterministic: the same calls give byte-identical output (no dates; the file /ID is a SHA-256 of the
/// content; objects and dictionary keys always come in the same order).</para>
/// <para>The output stream is the caller's: it is never sought (a network or hashing stream works), and neither
/// <see cref="Finish"/> nor <see cref="Dispose"/> closes it.</para>
/// <para>One writer makes one document on one thread; writers on different threads may share a <see cref="PdfFonts"/>.</para>
/// </remarks>
public sealed class PdfWriter : IDisposable
{
    /// <summary>A4 portrait, in points: the paper of Vietnamese official documents (Decree 30/2020).</summary>
    public const double A4Width = 595.28, A4Height = 841.89;

    // Catalog and page tree are written last but numbered first, so pages can point at their parent at once.
    private const int CatalogObject = 1, PagesObject = 2;

    private readonly Stream _output;
    private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private readonly List<long> _offsets = [0, -1, -1]; // file offset of each object, by number; -1 until written
    private readonly List<int> _pageObjects = [];
    private readonly List<Bookmark> _bookmarks = [];
    private readonly FontUsage?[] _fonts = new FontUsage?[Enum.GetValues<PdfFontStyle>().Length];
    private PdfPageCanvas? _page;
    private long _position;
    private bool _finished, _disposed;

    /// <summary>Starts a PDF on <paramref name="output"/> (the header is written at once).</summary>
    /// <param name="output">Where the file goes; it is written strictly forwards and left open.</param>
    /// <param name="fonts">The font family; <see cref="PdfFonts.Default"/> (DejaVu Serif) when null.</param>
    /// <exception cref="InvalidOperationException">The default fonts are not installed (see <see cref="PdfFonts.Default"/>).</exception>
    public PdfWriter(Stream output, PdfFonts? fonts = null)
    {
        ArgumentNullException.ThrowIfNull(output);
        if (!output.CanWrite) throw new ArgumentException("The output stream must be writable.", nameof(output));
        _output = output;
        Fonts = fonts ?? PdfFonts.Default;
        // The comment of four bytes over 127 tells file-transfer tools the file is binary (ISO 32000-1 §7.5.2).
        Write("%PDF-1.7\n%\u00E2\u00E3\u00CF\u00D3\n");
    }

    /// <summary>The font family pages are set in; use it to measure text for layout.</summary>
    public PdfFonts Fonts { get; }

    /// <summary>Document title shown by viewers (document information /Title); none when null.</summary>
    public string? Title { get; set; }

    /// <summary>Pages added so far, including the one being drawn.</summary>
    public int PageCount => _pageObjects.Count + (_page is null ? 0 : 1);

    /// <summary>
    /// Finishes the current page (writing it to the output) and starts a new one of the given size in points;
    /// draw on the returned canvas until the next <see cref="AddPage"/> or <see cref="Finish"/>.
    /// </summary>
    public PdfPageCanvas AddPage(double width = A4Width, double height = A4Height)
    {
        EnsureWriting();
        // 3..14 400 pt is the page size range PDF viewers must support (ISO 32000-1 annex C).
        if (width is < 3 or > 14400) throw new ArgumentOutOfRangeException(nameof(width), width, "Page width must be 3 to 14 400 points.");
        if (height is < 3 or > 14400) throw new ArgumentOutOfRangeException(nameof(height), height, "Page height must be 3 to 14 400 points.");
        WriteCurrentPage();
        return _page = new PdfPageCanvas(this, width, height);
    }

    /// <summary>
    /// Adds a bookmark (outline entry) opening page <paramref name="pageIndex"/> (0-based; the page may be added
    /// later, but must exist by <see cref="Finish"/>). Level 0 is top level; level n nests under the last bookmark
    /// of level n − 1, so a level-1 bookmark needs a level-0 one before it. Bookmarks keep the order they are added in.
    /// </summary>
    public void AddBookmark(string title, int pageIndex, int level = 0)
    {
        EnsureWriting();
        ArgumentNullException.ThrowIfNull(title);
        ArgumentOutOfRangeException.ThrowIfNegative(pageIndex);
        ArgumentOutOfRangeException.ThrowIfNegative(level);
        var deepest = _bookmarks.Count == 0 ? 0 : _bookmarks[^1].Level + 1;
        if (level > deepest)
            throw new ArgumentOutOfRangeException(nameof(level), level, $"A level-{level} bookmark needs a level-{level - 1} bookmark before it.");
        _bookmarks.Add(new Bookmark(title, pageIndex, level));
    }

    /// <summary>Writes the last page, the fonts (subsetted to the glyphs used), page tree, bookmarks and trailer.
    /// The writer can do nothing more afterwards.</summary>
    /// <exception cref="InvalidOperationException">No page was added, or a bookmark points past the last page.</exception>
    public void Finish()
    {
        EnsureWriting();
        if (PageCount == 0) throw new InvalidOperationException("A PDF needs at least one page: call AddPage before Finish.");
        if (_bookmarks.FirstOrDefault(b => b.Page >= PageCount) is { } lost)
            throw new InvalidOperationException($"Bookmark '{lost.Title}' points at page index {lost.Page}, but the document has {PageCount} pages.");
        WriteCurrentPage();
        foreach (var font in _fonts) if (font is not null) WriteFont(font);
        WritePageTree();
        var outlines = WriteOutlines();
        var info = 0;
        if (Title is not null) WriteObject(info = NewObject(), $"<< /Title {TextString(Title)} >>");
        WriteObject(CatalogObject, outlines == 0
            ? $"<< /Type /Catalog /Pages {Ref(PagesObject)} >>"
            : $"<< /Type /Catalog /Pages {Ref(PagesObject)} /Outlines {Ref(outlines)} /PageMode /UseOutlines >>");
        WriteCrossReferenceAndTrailer(info);
        _output.Flush();
        _finished = true;
    }

    /// <summary>Releases the writer. It does not finish the document (after an error, the output is left
    /// incomplete rather than passed off as whole) and does not close the output stream.</summary>
    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        _page = null;
        _hash.Dispose();
    }

    /// <summary>The font object for <paramref name="style"/>, numbered on first use so unused faces are never written.</summary>
    internal FontUsage UseFont(PdfFontStyle style)
        => _fonts[(int)style] ??= new FontUsage(Fonts.Face(style), NewObject(), "F" + style.ToString()[0]);

    private void WriteCurrentPage()
    {
        if (_page is null) return;
        var (content, resources) = _page.Close();
        int page = NewObject(), contents = NewObject();
        WriteStream(contents, "", Encoding.ASCII.GetBytes(content), CompressionLevel.Optimal);
        WriteObject(page, $"<< /Type /Page /Parent {Ref(PagesObject)} /MediaBox [0 0 {Number(_page.Width)} {Number(_page.Height)}] "
            + $"/Resources {resources} /Contents {Ref(contents)} >>");
        _pageObjects.Add(page);
        _page = null;
        _output.Flush(); // hand the page on now: memory and the reader on the other end both benefit
    }

    private void WriteFont(FontUsage font)
    {
        var face = font.Face;
        var glyphs = font.CodePoints.Keys.ToList(); // ascending glyph ids: a stable order for everything below
        var name = Name(SubsetTag(face, glyphs) + "+" + face.PostScriptName);
        int cidFont = NewObject(), descriptor = NewObject(), program = NewObject(), toUnicode = NewObject();
        int Scaled(int units) => (int)Math.Round(units * 1000.0 / face.UnitsPerEm, MidpointRounding.AwayFromZero);

        WriteObject(font.Number, $"<< /Type /Font /Subtype /Type0 /BaseFont {name} /Encoding /Identity-H "
            + $"/DescendantFonts [{Ref(cidFont)}] /ToUnicode {Ref(toUnicode)} >>");
        WriteObject(cidFont, $"<< /Type /Font /Subtype /CIDFontType2 /BaseFont {name} "
            + $"/CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> /FontDescriptor {Ref(descriptor)} "
            + $"/DW 1000 /W {Widths(face, glyphs)} /CIDToGIDMap /Identity >>");
        var (xMin, yMin, xMax, yMax) = face.BoundingBox;
        // Flags: 32 = nonsymbolic (Latin text), 64 = italic. StemV has no source in a TrueType file; this is the
        // usual estimate from the weight class (88 for regular, 166 for bold), used only by font substitution.
        var flags = 32 | (face.ItalicAngle != 0 ? 64 : 0);
        var stemV = (int)Math.Round(50 + Math.Pow(face.WeightClass / 65.0, 2));
        WriteObject(descriptor, $"<< /Type /FontDescriptor /FontName {name} /Flags {flags} "
            + $"/FontBBox [{Scaled(xMin)} {Scaled(yMin)} {Scaled(xMax)} {Scaled(yMax)}] /ItalicAngle {Number(face.ItalicAngle)} "
            + $"/Ascent {Scaled(face.Ascent)} /Descent {Scaled(face.Descent)} /CapHeight {Scaled(face.CapHeight)} "
            + $"/StemV {stemV} /FontFile2 {Ref(program)} >>");
        var subset = face.Subset(glyphs);
        WriteStream(program, $"/Length1 {subset.Length} ", subset, CompressionLevel.SmallestSize);
        WriteStream(toUnicode, "", Encoding.ASCII.GetBytes(ToUnicodeCMap(font.CodePoints)), CompressionLevel.Optimal);
    }

    /// <summary>A deterministic six-capital tag for the subset's name (ISO 32000-1 §9.6.4): the same glyphs, the same tag.</summary>
    private static string SubsetTag(TrueTypeFont face, List<ushort> glyphs)
    {
        var key = face.PostScriptName + ":" + string.Join(',', glyphs);
        return new string(SHA256.HashData(Encoding.UTF8.GetBytes(key)).Take(6).Select(b => (char)('A' + b % 26)).ToArray());
    }

    /// <summary>The /W array, one run per stretch of consecutive glyph ids: [3 [250 333] 68 [500] …].</summary>
    private static string Widths(TrueTypeFont face, List<ushort> glyphs)
    {
        var w = new StringBuilder("[");
        for (var i = 0; i < glyphs.Count; i++)
        {
            if (i == 0 || glyphs[i] != glyphs[i - 1] + 1) w.Append(i == 0 ? "" : "] ").Append(glyphs[i]).Append(" [");
            else w.Append(' ');
            w.Append(face.Width(glyphs[i]));
        }
        return w.Append(glyphs.Count > 0 ? "]]" : "]").ToString();
    }

    /// <summary>The CMap that maps each glyph code back to its character, which is what makes the text extractable.</summary>
    private static string ToUnicodeCMap(SortedDictionary<ushort, int> codePoints)
    {
        var cmap = new StringBuilder(
            "/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n"
            + "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n"
            + "/CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n"
            + "1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n");
        foreach (var chunk in codePoints.Chunk(100)) // a bfchar block holds at most 100 entries
        {
            cmap.Append(chunk.Length).Append(" beginbfchar\n");
            foreach (var (glyph, codePoint) in chunk)
            {
                cmap.Append('<').Append(GlyphCode(glyph)).Append("> <");
                foreach (var unit in char.ConvertFromUtf32(codePoint)) cmap.Append(((int)unit).ToString("X4", CultureInfo.InvariantCulture));
                cmap.Append(">\n");
            }
            cmap.Append("endbfchar\n");
        }
        return cmap.Append("endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n").ToString();
    }

    private void WritePageTree()
    {
        var kids = new StringBuilder();
        for (var i = 0; i < _pageObjects.Count; i++) kids.Append(i == 0 ? "" : i % 10 == 0 ? "\n" : " ").Append(Ref(_pageObjects[i]));
        WriteObject(PagesObject, $"<< /Type /Pages /Kids [{kids}] /Count {_pageObjects.Count} >>");
    }

    /// <summary>Writes the outline tree (every entry open) and returns its root object, or 0 without bookmarks.</summary>
    private int WriteOutlines()
    {
        if (_bookmarks.Count == 0) return 0;
        var root = NewObject();
        var numbers = _bookmarks.Select(_ => NewObject()).ToArray();
        var parents = new int[_bookmarks.Count];           // index of the parent bookmark, -1 for the root
        var children = _bookmarks.Select(_ => new List<int>()).ToArray();
        var topLevel = new List<int>();
        var lastAtLevel = new List<int>();
        for (var i = 0; i < _bookmarks.Count; i++)
        {
            var level = _bookmarks[i].Level;
            parents[i] = level == 0 ? -1 : lastAtLevel[level - 1];
            (level == 0 ? topLevel : children[parents[i]]).Add(i);
            lastAtLevel.RemoveRange(level, lastAtLevel.Count - level);
            lastAtLevel.Add(i);
        }
        var descendants = new int[_bookmarks.Count];       // all open, so /Count is every entry below
        for (var i = _bookmarks.Count - 1; i >= 0; i--) descendants[i] = children[i].Sum(c => 1 + descendants[c]);

        for (var i = 0; i < _bookmarks.Count; i++)
        {
            var siblings = parents[i] < 0 ? topLevel : children[parents[i]];
            var at = siblings.IndexOf(i);
            var entry = new StringBuilder($"<< /Title {TextString(_bookmarks[i].Title)} /Parent {Ref(parents[i] < 0 ? root : numbers[parents[i]])}");
            if (at > 0) entry.Append(" /Prev ").Append(Ref(numbers[siblings[at - 1]]));
            if (at < siblings.Count - 1) entry.Append(" /Next ").Append(Ref(numbers[siblings[at + 1]]));
            if (children[i].Count > 0)
                entry.Append($" /First {Ref(numbers[children[i][0]])} /Last {Ref(numbers[children[i][^1]])} /Count {descendants[i]}");
            entry.Append($" /Dest [{Ref(_pageObjects[_bookmarks[i].Page])} /Fit] >>");
            WriteObject(numbers[i], entry.ToString());
        }
        WriteObject(root, $"<< /Type /Outlines /First {Ref(numbers[topLevel[0]])} /Last {Ref(numbers[topLevel[^1]])} /Count {_bookmarks.Count} >>");
        return root;
    }

    private void WriteCrossReferenceAndTrailer(int info)
    {
        var start = _position;
        var xref = new StringBuilder($"xref\n0 {_offsets.Count}\n0000000000 65535 f\r\n");
        foreach (var offset in _offsets.Skip(1))
        {
            if (offset < 0) throw new InvalidOperationException("Internal error: an object was numbered but never written.");
            xref.Append(offset.ToString("D10", CultureInfo.InvariantCulture)).Append(" 00000 n\r\n");
        }
        Write(xref.ToString());
        // The /ID identifies the file by its content: identical documents get identical ids, different ones differ.
        var id = Convert.ToHexString(_hash.GetCurrentHash(), 0, 16);
        var trailer = $"trailer\n<< /Size {_offsets.Count} /Root {Ref(CatalogObject)}"
            + (info == 0 ? "" : $" /Info {Ref(info)}") + $" /ID [<{id}> <{id}>] >>\nstartxref\n{start}\n%%EOF\n";
        Write(trailer);
    }

    private int NewObject()
    {
        _offsets.Add(-1);
        return _offsets.Count - 1;
    }

    private void WriteObject(int number, string body)
    {
        _offsets[number] = _position;
        Write($"{number} 0 obj\n{body}\nendobj\n");
    }

    private void WriteStream(int number, string entries, byte[] data, CompressionLevel level)
    {
        using var compressed = new MemoryStream();
        using (var zlib = new ZLibStream(compressed, level, leaveOpen: true)) zlib.Write(data);
        _offsets[number] = _position;
        Write($"{number} 0 obj\n<< {entries}/Filter /FlateDecode /Length {compressed.Length} >>\nstream\n");
        Write(compressed.GetBuffer().AsSpan(0, (int)compressed.Length));
        Write("\nendstream\nendobj\n");
    }

    private void Write(string text) => Write(Encoding.Latin1.GetBytes(text));

    private void Write(ReadOnlySpan<byte> bytes)
    {
        _output.Write(bytes);
        _hash.AppendData(bytes);
        _position += bytes.Length;
    }

    private void EnsureWriting()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_finished) throw new InvalidOperationException("The PDF is already finished.");
    }

    private sealed record Bookmark(string Title, int Page, int Level);
}

/// <summary>One face as used in one document: its object number, resource name, and each glyph used with the
/// character it was drawn for (the ToUnicode entries). The first character drawn with a glyph wins.</summary>
internal sealed record FontUsage(TrueTypeFont Face, int Number, string ResourceName)
{
    public SortedDictionary<ushort, int> CodePoints { get; } = new();
}
