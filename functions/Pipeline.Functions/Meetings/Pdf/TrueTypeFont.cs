using System.Buffers.Binary;
using System.Text;

namespace Pipeline.Functions.Meetings.Pdf;

/// <summary>
/// A TrueType font file read for PDF embedding: its character map, advance widths and the metrics a
/// FontDescriptor needs, and a subsetter that keeps only the glyphs a document uses.
/// </summary>
/// <remarks>Immutable once loaded, so one instance is shared by every writer on every thread.</remarks>
internal sealed class TrueTypeFont
{
    /// <summary>The glyph drawn for a character the font lacks: glyph 0 (.notdef) would silently lose the text.</summary>
    public const char Replacement = '?';

    // The tables a PDF viewer needs to draw glyphs addressed by id (ISO 32000-1 §9.9, table 126); cmap, names,
    // kerning and layout tables are useless once the PDF maps codes to glyph ids itself.
    private static readonly string[] EmbeddedTables = ["cvt ", "fpgm", "glyf", "head", "hhea", "hmtx", "loca", "maxp", "prep"];

    private readonly byte[] _data;
    private readonly Dictionary<string, (int Offset, int Length)> _tables = new(StringComparer.Ordinal);
    private readonly Dictionary<int, ushort> _glyphByCodePoint;
    private readonly int[] _glyphOffsets; // loca: glyph g's data is [_glyphOffsets[g], _glyphOffsets[g + 1]) in glyf
    private readonly int[] _widths;       // advance widths in 1/1000 em, as written to the PDF /W array

    public TrueTypeFont(string path)
    {
        Path = path;
        _data = File.ReadAllBytes(path);
        try
        {
            var version = U32(0);
            if (version is not (0x00010000u or 0x74727565u)) // 'true': old Apple TrueType
                throw new InvalidOperationException($"Font file {path} is not a TrueType font (OpenType/CFF and collections are not supported).");
            for (int i = 0, count = U16(4); i < count; i++)
            {
                var record = 12 + 16 * i;
                _tables[Encoding.ASCII.GetString(_data, record, 4)] = ((int)U32(record + 8), (int)U32(record + 12));
            }

            var head = Table("head");
            UnitsPerEm = U16(head + 18);
            BoundingBox = (S16(head + 36), S16(head + 38), S16(head + 40), S16(head + 42));
            var longOffsets = S16(head + 50) == 1;
            var hhea = Table("hhea");
            Ascent = S16(hhea + 4);
            Descent = S16(hhea + 6);
            GlyphCount = U16(Table("maxp") + 4);

            _glyphOffsets = ReadLoca(Table("loca"), longOffsets);
            _widths = ReadWidths(Table("hmtx"), U16(hhea + 34));
            _glyphByCodePoint = ReadCmap(Table("cmap"));
            PostScriptName = ReadPostScriptName() ?? System.IO.Path.GetFileNameWithoutExtension(path);

            var post = _tables.TryGetValue("post", out var p) ? p.Offset : -1;
            ItalicAngle = post < 0 ? 0 : S16(post + 4) + U16(post + 6) / 65536.0;
            var os2 = _tables.TryGetValue("OS/2", out var o) ? o.Offset : -1;
            WeightClass = os2 < 0 ? 400 : U16(os2 + 4);
            // sCapHeight exists from OS/2 version 2 on; older fonts (DejaVu has version 1) give it by the top of 'H'.
            CapHeight = os2 >= 0 && U16(os2) >= 2 && _tables["OS/2"].Length >= 90 ? S16(os2 + 88) : GlyphTop(GlyphFor('H'));
        }
        catch (Exception e) when (e is IndexOutOfRangeException or ArgumentOutOfRangeException or KeyNotFoundException)
        {
            throw new InvalidOperationException($"Font file {path} is damaged or lacks a table a PDF needs ({e.Message}).", e);
        }
    }

    /// <summary>The file the font was read from.</summary>
    public string Path { get; }

    /// <summary>The font's PostScript name (name id 6), e.g. "DejaVuSerif-Bold".</summary>
    public string PostScriptName { get; }

    /// <summary>Font units per em; every metric below is in these units.</summary>
    public int UnitsPerEm { get; }

    /// <summary>Number of glyphs; glyph ids run from 0 to <c>GlyphCount - 1</c>.</summary>
    public int GlyphCount { get; }

    /// <summary>The union of all glyph boxes (head table).</summary>
    public (int XMin, int YMin, int XMax, int YMax) BoundingBox { get; }

    /// <summary>Typographic ascent and descent (hhea; descent is negative).</summary>
    public int Ascent { get; }

    /// <inheritdoc cref="Ascent"/>
    public int Descent { get; }

    /// <summary>Height of capital letters above the baseline.</summary>
    public int CapHeight { get; }

    /// <summary>Slant in degrees counter-clockwise from vertical (negative for italics leaning right).</summary>
    public double ItalicAngle { get; }

    /// <summary>OS/2 weight class: 400 regular, 700 bold.</summary>
    public int WeightClass { get; }

    /// <summary>The glyph for <paramref name="codePoint"/>, or 0 when the font lacks it.</summary>
    public ushort GlyphFor(int codePoint) => _glyphByCodePoint.GetValueOrDefault(codePoint);

    /// <summary>Advance width of <paramref name="glyph"/> in 1/1000 em, the unit of the PDF /W array.</summary>
    public int Width(ushort glyph) => _widths[glyph];

    /// <summary>
    /// The glyphs that draw <paramref name="text"/> (expected in NFC), each with the character it stands for:
    /// a tab becomes a space, other control characters are dropped, and a character the font lacks becomes '?'.
    /// </summary>
    public List<(int CodePoint, ushort Glyph)> Glyphs(string text)
    {
        var glyphs = new List<(int, ushort)>(text.Length);
        foreach (var rune in text.EnumerateRunes())
        {
            var codePoint = rune.Value == '\t' ? ' ' : rune.Value;
            if (Rune.IsControl(new Rune(codePoint))) continue;
            var glyph = GlyphFor(codePoint);
            if (glyph == 0) (codePoint, glyph) = (Replacement, GlyphFor(Replacement));
            glyphs.Add((codePoint, glyph));
        }
        return glyphs;
    }

    /// <summary>
    /// A TrueType file holding only <paramref name="used"/> glyphs (plus .notdef and the parts of composite glyphs),
    /// with the tables a PDF viewer needs.
    /// </summary>
    /// <remarks>Glyph ids stay unchanged (unused glyphs are just emptied), so the PDF can address glyphs with
    /// Identity-H and CIDToGIDMap /Identity: no renumbering to get wrong. Empty glyphs and zeroed metrics cost a
    /// few bytes each before compression and almost nothing after.</remarks>
    public byte[] Subset(IEnumerable<ushort> used)
    {
        var keep = GlyphClosure(used);
        var tables = new SortedDictionary<string, byte[]>(StringComparer.Ordinal);
        foreach (var tag in EmbeddedTables)
            if (_tables.TryGetValue(tag, out var t)) tables[tag] = _data.AsSpan(t.Offset, t.Length).ToArray();

        // glyf and loca: the kept glyphs' outlines at 4-byte-aligned offsets, always in the long loca format.
        using var glyf = new MemoryStream();
        var loca = new byte[4 * (GlyphCount + 1)];
        var glyfStart = Table("glyf");
        for (var g = 0; g < GlyphCount; g++)
        {
            BinaryPrimitives.WriteUInt32BigEndian(loca.AsSpan(4 * g), (uint)glyf.Length);
            var length = _glyphOffsets[g + 1] - _glyphOffsets[g];
            if (!keep.Contains((ushort)g) || length <= 0) continue;
            glyf.Write(_data, glyfStart + _glyphOffsets[g], length);
            while (glyf.Length % 4 != 0) glyf.WriteByte(0);
        }
        BinaryPrimitives.WriteUInt32BigEndian(loca.AsSpan(4 * GlyphCount), (uint)glyf.Length);
        tables["glyf"] = glyf.ToArray();
        tables["loca"] = loca;

        // hmtx: the PDF gives widths in /W, so unused glyphs' metrics are zeroed to compress away.
        var hmtx = tables["hmtx"];
        var longMetrics = U16(Table("hhea") + 34);
        for (var g = 0; g < GlyphCount; g++)
        {
            if (keep.Contains((ushort)g)) continue;
            var (at, size) = g < longMetrics ? (4 * g, 4) : (4 * longMetrics + 2 * (g - longMetrics), 2);
            if (at + size <= hmtx.Length) hmtx.AsSpan(at, size).Clear();
        }

        var head = tables["head"];
        BinaryPrimitives.WriteUInt32BigEndian(head.AsSpan(8), 0); // checkSumAdjustment, set below
        BinaryPrimitives.WriteInt16BigEndian(head.AsSpan(50), 1); // indexToLocFormat: long
        return Assemble(tables);
    }

    /// <summary>Glyph 0, the used glyphs, and every glyph a kept composite glyph is built from.</summary>
    private HashSet<ushort> GlyphClosure(IEnumerable<ushort> used)
    {
        var keep = new HashSet<ushort>();
        var pending = new Stack<ushort>(used.Prepend((ushort)0));
        var glyf = Table("glyf");
        while (pending.Count > 0)
        {
            var g = pending.Pop();
            if (g >= GlyphCount || !keep.Add(g)) continue;
            int start = glyf + _glyphOffsets[g], end = glyf + _glyphOffsets[g + 1];
            if (end - start < 10 || S16(start) >= 0) continue; // empty or simple glyph
            const int WordArgs = 0x1, Scale = 0x8, MoreComponents = 0x20, XyScale = 0x40, TwoByTwo = 0x80;
            int flags, at = start + 10;
            do
            {
                flags = U16(at);
                pending.Push((ushort)U16(at + 2));
                at += 4 + ((flags & WordArgs) != 0 ? 4 : 2)
                        + ((flags & Scale) != 0 ? 2 : (flags & XyScale) != 0 ? 4 : (flags & TwoByTwo) != 0 ? 8 : 0);
            } while ((flags & MoreComponents) != 0 && at + 4 <= end);
        }
        return keep;
    }

    /// <summary>An sfnt file from <paramref name="tables"/> (sorted by tag), with checksums and head.checkSumAdjustment.</summary>
    private static byte[] Assemble(SortedDictionary<string, byte[]> tables)
    {
        var count = tables.Count;
        var entrySelector = (int)Math.Log2(count);
        var searchRange = 16 << entrySelector;
        var size = 12 + 16 * count + tables.Values.Sum(t => Pad4(t.Length));
        var font = new byte[size];
        var span = font.AsSpan();
        BinaryPrimitives.WriteUInt32BigEndian(span, 0x00010000);
        BinaryPrimitives.WriteUInt16BigEndian(span[4..], (ushort)count);
        BinaryPrimitives.WriteUInt16BigEndian(span[6..], (ushort)searchRange);
        BinaryPrimitives.WriteUInt16BigEndian(span[8..], (ushort)entrySelector);
        BinaryPrimitives.WriteUInt16BigEndian(span[10..], (ushort)(16 * count - searchRange));

        int record = 12, offset = 12 + 16 * count, headOffset = 0;
        foreach (var (tag, table) in tables)
        {
            Encoding.ASCII.GetBytes(tag, span[record..]);
            BinaryPrimitives.WriteUInt32BigEndian(span[(record + 4)..], Checksum(table));
            BinaryPrimitives.WriteUInt32BigEndian(span[(record + 8)..], (uint)offset);
            BinaryPrimitives.WriteUInt32BigEndian(span[(record + 12)..], (uint)table.Length);
            table.CopyTo(span[offset..]);
            if (tag == "head") headOffset = offset;
            record += 16;
            offset += Pad4(table.Length);
        }
        BinaryPrimitives.WriteUInt32BigEndian(span[(headOffset + 8)..], unchecked(0xB1B0AFBA - Checksum(font)));
        return font;
    }

    private static int Pad4(int length) => (length + 3) & ~3;

    private static uint Checksum(ReadOnlySpan<byte> data)
    {
        uint sum = 0;
        for (var i = 0; i < data.Length; i += 4)
        {
            uint word = 0;
            for (var j = 0; j < 4; j++) word = (word << 8) | (i + j < data.Length ? data[i + j] : 0u);
            sum = unchecked(sum + word);
        }
        return sum;
    }

    private int[] ReadLoca(int loca, bool longOffsets)
    {
        var offsets = new int[GlyphCount + 1];
        for (var g = 0; g <= GlyphCount; g++) offsets[g] = longOffsets ? (int)U32(loca + 4 * g) : 2 * U16(loca + 2 * g);
        return offsets;
    }

    private int[] ReadWidths(int hmtx, int longMetrics)
    {
        var widths = new int[GlyphCount];
        for (var g = 0; g < GlyphCount; g++)
        {
            var advance = U16(hmtx + 4 * Math.Min(g, longMetrics - 1)); // glyphs past the long metrics repeat the last advance
            widths[g] = (int)Math.Round(advance * 1000.0 / UnitsPerEm, MidpointRounding.AwayFromZero);
        }
        return widths;
    }

    /// <summary>Unicode → glyph from the best Unicode subtable: format 12 (all planes) if present, else format 4 (BMP).</summary>
    private Dictionary<int, ushort> ReadCmap(int cmap)
    {
        int best = -1, bestRank = 0;
        for (int i = 0, count = U16(cmap + 2); i < count; i++)
        {
            int platform = U16(cmap + 4 + 8 * i), encoding = U16(cmap + 6 + 8 * i);
            var subtable = cmap + (int)U32(cmap + 8 + 8 * i);
            var unicode = platform == 0 || (platform == 3 && encoding is 1 or 10);
            var rank = !unicode ? 0 : U16(subtable) switch { 12 => 2, 4 => 1, _ => 0 };
            if (rank > bestRank) (best, bestRank) = (subtable, rank);
        }
        if (best < 0) throw new InvalidOperationException($"Font file {Path} has no Unicode character map.");

        var map = new Dictionary<int, ushort>();
        void Add(int codePoint, int glyph) { if (glyph > 0 && glyph < GlyphCount) map.TryAdd(codePoint, (ushort)glyph); }
        if (bestRank == 2)
        {
            for (long i = 0, groups = U32(best + 12); i < groups; i++)
            {
                var group = best + 16 + 12 * (int)i;
                uint first = U32(group), last = U32(group + 4), glyph = U32(group + 8);
                for (var c = first; c <= last && c <= 0x10FFFF; c++) Add((int)c, (int)(glyph + (c - first)));
            }
            return map;
        }

        var segments = U16(best + 6) / 2;
        int ends = best + 14, starts = ends + 2 * segments + 2, deltas = starts + 2 * segments, rangeOffsets = deltas + 2 * segments;
        for (var s = 0; s < segments; s++)
        {
            int first = U16(starts + 2 * s), last = U16(ends + 2 * s), delta = S16(deltas + 2 * s), rangeOffset = U16(rangeOffsets + 2 * s);
            for (var c = first; c <= last && c != 0xFFFF; c++)
            {
                if (rangeOffset == 0) { Add(c, (c + delta) & 0xFFFF); continue; }
                var glyph = U16(rangeOffsets + 2 * s + rangeOffset + 2 * (c - first));
                if (glyph != 0) Add(c, (glyph + delta) & 0xFFFF);
            }
        }
        return map;
    }

    private string? ReadPostScriptName()
    {
        if (!_tables.TryGetValue("name", out var t)) return null;
        int name = t.Offset, strings = name + U16(name + 4);
        for (int i = 0, count = U16(name + 2); i < count; i++)
        {
            var record = name + 6 + 12 * i;
            int platform = U16(record), nameId = U16(record + 6), length = U16(record + 8), at = strings + U16(record + 10);
            if (nameId != 6) continue;
            if (platform == 3) return Encoding.BigEndianUnicode.GetString(_data, at, length);
            if (platform == 1) return Encoding.Latin1.GetString(_data, at, length);
        }
        return null;
    }

    private int GlyphTop(ushort glyph)
        => _glyphOffsets[glyph + 1] - _glyphOffsets[glyph] >= 10 ? S16(Table("glyf") + _glyphOffsets[glyph] + 8) : Ascent;

    private int Table(string tag) => _tables.TryGetValue(tag, out var t)
        ? t.Offset
        : throw new InvalidOperationException($"Font file {Path} has no '{tag}' table; PDF embedding needs it.");

    private int U16(int at) => BinaryPrimitives.ReadUInt16BigEndian(_data.AsSpan(at, 2));
    private short S16(int at) => BinaryPrimitives.ReadInt16BigEndian(_data.AsSpan(at, 2));
    private uint U32(int at) => BinaryPrimitives.ReadUInt32BigEndian(_data.AsSpan(at, 4));
}
