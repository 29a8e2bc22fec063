using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace Pipeline.Functions.Intake;

/// <summary>
/// Reads an image upload's frame sizes and resolutions from its headers alone, so intake can refuse a decompression
/// bomb (a few kilobytes that claim billions of pixels) before any decoder allocates for it.
/// </summary>
/// <remarks>
/// Work and memory are bounded by constants and by the file's length, never by sizes the file claims: hostile input
/// ends in a result or <c>null</c>, not in a large allocation or an endless loop. I/O errors from the stream propagate.
/// </remarks>
public static class ImageHeader
{
    // More pages than any scanned document has. A longer TIFF chain is refused rather than cut short, because a
    // partial count would understate what a decoder would go on to decode.
    private const int MaxTiffPages = 10_000;

    // libtiff refuses directories claiming more entries (real ones have a few dozen), so a larger count means
    // corruption; the cap also puts a fixed ceiling on the work for a whole chain (pages × entries).
    private const int MaxTiffDirectoryEntries = 4096;

    // pHYs is only a nicety; a PNG padded with thousands of ancillary chunks must not cost thousands of reads.
    private const int MaxPngChunksBeforeData = 256;

    /// <summary>
    /// Reads the dimensions (and resolution where stated) of every frame without decoding pixels, from the start of
    /// <paramref name="stream"/> whatever its current position.
    /// Returns <c>null</c> when the bytes are not a readable image of <paramref name="format"/>: truncated or corrupt
    /// headers, a zero or out-of-range dimension, a JPEG whose height is deferred to a DNL marker, or a TIFF of more than
    /// 10 000 pages or with a directory of more than 4096 entries (libtiff's own limit).
    /// A TIFF whose chain of pages loops, or points outside the file after at least one good page, ends there: a
    /// decoder cannot reach more pages than that either. Every returned frame has positive width and height.
    /// </summary>
    /// <param name="stream">A readable, seekable stream of the whole upload (a <see cref="FileStream"/> in the service).</param>
    /// <param name="format">The format detected by <see cref="ScanFormats.Detect"/>: Tiff, Jpeg or Png.</param>
    /// <exception cref="ArgumentException">The stream cannot seek or read, or the format is not an image format.</exception>
    public static ImageInfo? Read(Stream stream, ScanFormat format)
    {
        ArgumentNullException.ThrowIfNull(stream);
        if (!stream.CanRead || !stream.CanSeek)
            throw new ArgumentException("The stream must be readable and seekable.", nameof(stream));

        return format switch
        {
            ScanFormat.Png => ReadPng(stream),
            ScanFormat.Jpeg => ReadJpeg(stream),
            ScanFormat.Tiff => ReadTiff(stream),
            _ => throw new ArgumentException($"{format} is not an image format ImageHeader reads.", nameof(format)),
        };
    }

    // ---- PNG ------------------------------------------------------------------------------------------------------

    private static ImageInfo? ReadPng(Stream s)
    {
        // Signature, then IHDR must come first with exactly 13 bytes of data (PNG spec 5.6).
        Span<byte> head = stackalloc byte[8 + 8 + 13 + 4];
        if (!TryReadAt(s, 0, head)) return null;
        if (!head[..8].SequenceEqual((ReadOnlySpan<byte>)[0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])) return null;
        if (BinaryPrimitives.ReadUInt32BigEndian(head[8..]) != 13 || !head[12..16].SequenceEqual("IHDR"u8)) return null;
        // A bit flip in the header could turn a small image into a "bomb" or a bomb into a small image; trust only a
        // header whose CRC holds.
        if (Crc32(head[12..29]) != BinaryPrimitives.ReadUInt32BigEndian(head[29..])) return null;

        var ihdr = head[16..29];
        uint width = BinaryPrimitives.ReadUInt32BigEndian(ihdr), height = BinaryPrimitives.ReadUInt32BigEndian(ihdr[4..]);
        // The spec caps both at 2^31-1, which is also what fits ImageFrame.
        if (width is 0 or > int.MaxValue || height is 0 or > int.MaxValue) return null;
        if (!IsValidPngPixelFormat(bitDepth: ihdr[8], colourType: ihdr[9]) || ihdr[10] != 0 || ihdr[11] != 0 || ihdr[12] > 1)
            return null;

        var (dpiX, dpiY) = FindPngDpi(s, head.Length);
        return new ImageInfo(ScanFormat.Png, [new ImageFrame((int)width, (int)height, dpiX, dpiY)]);
    }

    // Combinations a decoder accepts (PNG spec table 11.1); anything else is not a PNG it would open.
    private static bool IsValidPngPixelFormat(byte bitDepth, byte colourType) => colourType switch
    {
        0 => bitDepth is 1 or 2 or 4 or 8 or 16,
        3 => bitDepth is 1 or 2 or 4 or 8,
        2 or 4 or 6 => bitDepth is 8 or 16,
        _ => false,
    };

    // pHYs must precede IDAT, so the walk stops there. Resolution is optional, so any oddity on the way
    // (an oversized or truncated chunk, a bad CRC) leaves it unknown rather than failing the read.
    private static (double? X, double? Y) FindPngDpi(Stream s, long position)
    {
        Span<byte> chunkHead = stackalloc byte[8];
        Span<byte> phys = stackalloc byte[4 + 9 + 4];
        for (var i = 0; i < MaxPngChunksBeforeData; i++)
        {
            if (!TryReadAt(s, position, chunkHead)) break;
            var length = BinaryPrimitives.ReadUInt32BigEndian(chunkHead);
            var type = chunkHead[4..];
            if (length > int.MaxValue || type.SequenceEqual("IDAT"u8) || type.SequenceEqual("IEND"u8)) break;
            if (type.SequenceEqual("pHYs"u8))
            {
                if (length != 9 || !TryReadAt(s, position + 4, phys)) break;
                if (Crc32(phys[..13]) != BinaryPrimitives.ReadUInt32BigEndian(phys[13..])) break;
                // Unit 1 is the metre; unit 0 states only an aspect ratio.
                if (phys[12] != 1) break;
                return (PerMetreToDpi(BinaryPrimitives.ReadUInt32BigEndian(phys[4..])),
                        PerMetreToDpi(BinaryPrimitives.ReadUInt32BigEndian(phys[8..])));
            }
            position += 12 + length;
        }
        return (null, null);
    }

    private static double? PerMetreToDpi(uint perMetre) => perMetre == 0 ? null : perMetre * 0.0254;

    private static uint Crc32(ReadOnlySpan<byte> data)
    {
        // Bitwise rather than table-driven: it only ever covers a few dozen header bytes.
        var crc = 0xFFFF_FFFFu;
        foreach (var b in data)
        {
            crc ^= b;
            for (var k = 0; k < 8; k++) crc = (crc & 1) != 0 ? 0xEDB8_8320u ^ (crc >> 1) : crc >> 1;
        }
        return ~crc;
    }

    // ---- JPEG -----------------------------------------------------------------------------------------------------

    private static ImageInfo? ReadJpeg(Stream s)
    {
        Span<byte> buffer = stackalloc byte[16];
        if (!TryReadAt(s, 0, buffer[..2]) || buffer[0] != 0xFF || buffer[1] != 0xD8) return null;

        double? jfifX = null, jfifY = null, exifX = null, exifY = null;
        // Every pass consumes at least one byte, so the walk ends by the end of the file.
        while (true)
        {
            var marker = NextJpegMarker(s);
            if (marker < 0) return null;
            // Standalone markers carry no length: TEM and RSTn. A second SOI, EOI or a scan before any frame header
            // means there is no frame size to read (libjpeg fails these too).
            if (marker is 0x01 or (>= 0xD0 and <= 0xD7)) continue;
            if (marker is 0xD8 or 0xD9 or 0xDA) return null;

            if (!TryReadAt(s, s.Position, buffer[..2])) return null;
            var length = BinaryPrimitives.ReadUInt16BigEndian(buffer);
            var segmentStart = s.Position; // just after the length field
            var segmentEnd = segmentStart - 2 + length;
            if (length < 2 || segmentEnd > s.Length) return null;

            if (IsStartOfFrame(marker))
            {
                // Precision (1), height (2), width (2), component count (1).
                if (length < 2 + 6 || !TryReadAt(s, segmentStart, buffer[..6])) return null;
                int height = BinaryPrimitives.ReadUInt16BigEndian(buffer[1..]), width = BinaryPrimitives.ReadUInt16BigEndian(buffer[3..]);
                // Height 0 defers the real height to a DNL marker after the first scan; without it there is no bound.
                if (width == 0 || height == 0) return null;
                return new ImageInfo(ScanFormat.Jpeg, [new ImageFrame(width, height, jfifX ?? exifX, jfifY ?? exifY)]);
            }
            if (marker == 0xE0 && length >= 2 + 12 && TryReadAt(s, segmentStart, buffer[..12]) && buffer[..5].SequenceEqual("JFIF\0"u8))
                (jfifX, jfifY) = JfifDpi(units: buffer[7], BinaryPrimitives.ReadUInt16BigEndian(buffer[8..]), BinaryPrimitives.ReadUInt16BigEndian(buffer[10..]));
            else if (marker == 0xE1 && length > 2 + 6 && TryReadAt(s, segmentStart, buffer[..6]) && buffer[..6].SequenceEqual("Exif\0\0"u8))
                (exifX, exifY) = ExifDpi(s, segmentStart + 6, length - 2 - 6);

            s.Seek(segmentEnd, SeekOrigin.Begin);
        }
    }

    // SOF0–SOF15 carry the frame size; C4 (DHT), C8 (JPG) and CC (DAC) share the range but are not frames.
    private static bool IsStartOfFrame(int marker) => marker is >= 0xC0 and <= 0xCF and not (0xC4 or 0xC8 or 0xCC);

    /// <summary>
    /// The next marker code from the current position, or -1 at the end of the file. Like libjpeg, stray bytes before
    /// a marker and 0xFF fill bytes are skipped, and FF 00 (a stuffed byte, not a marker) is passed over, so files
    /// decoders open are not refused here.
    /// </summary>
    private static int NextJpegMarker(Stream s)
    {
        while (true)
        {
            int b;
            do b = s.ReadByte(); while (b is >= 0 and not 0xFF);
            do b = s.ReadByte(); while (b == 0xFF);
            if (b < 0) return -1;
            if (b != 0x00) return b;
        }
    }

    private static (double? X, double? Y) JfifDpi(byte units, ushort x, ushort y)
    {
        // Unit 0 states only an aspect ratio; 1 is dots per inch, 2 dots per centimetre.
        double? perUnit = units switch { 1 => 1.0, 2 => 2.54, _ => null };
        return (x == 0 ? null : x * perUnit, y == 0 ? null : y * perUnit);
    }

    // The EXIF payload is a little TIFF file; its first directory may state the resolution. It is at most 64 KiB
    // (a JPEG segment's limit), so reading it whole is bounded.
    private static (double? X, double? Y) ExifDpi(Stream s, long offset, int length)
    {
        var payload = new byte[length];
        if (!TryReadAt(s, offset, payload)) return (null, null);
        using var exif = new MemoryStream(payload, writable: false);
        if (ReadTiffHeader(exif) is not { } tiff) return (null, null);
        var scratch = ArrayPool<byte>.Shared.Rent(MaxTiffDirectorySize);
        try
        {
            return ReadTiffDirectory(exif, tiff, tiff.FirstDirectory, scratch, out var directory, out _) == TiffDirectoryRead.Read
                ? TiffDpi(exif, tiff, directory)
                : (null, null);
        }
        finally { ArrayPool<byte>.Shared.Return(scratch); }
    }

    // ---- TIFF -----------------------------------------------------------------------------------------------------

    private static ImageInfo? ReadTiff(Stream s)
    {
        if (ReadTiffHeader(s) is not { } tiff) return null;

        var frames = new List<ImageFrame>();
        var seen = new HashSet<long>();
        var scratch = ArrayPool<byte>.Shared.Rent(MaxTiffDirectorySize);
        try
        {
            for (var offset = tiff.FirstDirectory; offset != 0 && seen.Add(offset); )
            {
                if (frames.Count == MaxTiffPages) return null;
                switch (ReadTiffDirectory(s, tiff, offset, scratch, out var directory, out var next))
                {
                    case TiffDirectoryRead.OutsideFile when frames.Count > 0:
                        // A stale next-page pointer (or a cut-off last page) is common in real files; the pages
                        // before it are all a decoder can reach, so the count is not understated.
                        return new ImageInfo(ScanFormat.Tiff, frames);
                    case TiffDirectoryRead.OutsideFile or TiffDirectoryRead.Corrupt:
                        return null;
                }
                // A page inside the file but without a usable size: a lenient decoder might skip it and carry on,
                // so nothing after it can be bounded.
                if (directory.Width is not (> 0 and <= int.MaxValue) || directory.Height is not (> 0 and <= int.MaxValue))
                    return null;
                var (dpiX, dpiY) = TiffDpi(s, tiff, directory);
                frames.Add(new ImageFrame((int)directory.Width, (int)directory.Height, dpiX, dpiY));
                offset = next;
            }
        }
        finally { ArrayPool<byte>.Shared.Return(scratch); }
        // A loop back to a page already read ends the chain; libtiff stops there too.
        return frames.Count > 0 ? new ImageInfo(ScanFormat.Tiff, frames) : null;
    }

    private const int MaxTiffDirectorySize = MaxTiffDirectoryEntries * 20 + 8; // BigTIFF entries and next offset

    private readonly record struct TiffLayout(bool BigEndian, bool BigTiff, long FirstDirectory)
    {
        public int CountSize => BigTiff ? 8 : 2;
        public int EntrySize => BigTiff ? 20 : 12;
        public int OffsetSize => BigTiff ? 8 : 4;

        public ushort U16(ReadOnlySpan<byte> b) => BigEndian ? BinaryPrimitives.ReadUInt16BigEndian(b) : BinaryPrimitives.ReadUInt16LittleEndian(b);
        public uint U32(ReadOnlySpan<byte> b) => BigEndian ? BinaryPrimitives.ReadUInt32BigEndian(b) : BinaryPrimitives.ReadUInt32LittleEndian(b);
        public ulong U64(ReadOnlySpan<byte> b) => BigEndian ? BinaryPrimitives.ReadUInt64BigEndian(b) : BinaryPrimitives.ReadUInt64LittleEndian(b);
        public ulong Offset(ReadOnlySpan<byte> b) => BigTiff ? U64(b) : U32(b);
    }

    // The fields of one directory that matter here; absent numbers are 0, ResolutionUnit defaults to inches (2).
    private struct TiffDirectory
    {
        public ulong Width, Height;
        public long XResolutionAt, YResolutionAt; // where the RATIONAL's 8 bytes are, or -1
        public ulong ResolutionUnit;
    }

    private enum TiffDirectoryRead { Read, OutsideFile, Corrupt }

    private static TiffLayout? ReadTiffHeader(Stream s)
    {
        Span<byte> head = stackalloc byte[16];
        if (!TryReadAt(s, 0, head[..8])) return null;
        bool bigEndian;
        if (head[0] == 'I' && head[1] == 'I') bigEndian = false;
        else if (head[0] == 'M' && head[1] == 'M') bigEndian = true;
        else return null;

        var probe = new TiffLayout(bigEndian, false, 0);
        switch (probe.U16(head[2..]))
        {
            case 42:
                return probe with { FirstDirectory = probe.U32(head[4..]) };
            case 43:
                // BigTIFF: offset size 8, a reserved 0, then an 8-byte offset to the first directory.
                if (!TryReadAt(s, 0, head) || probe.U16(head[4..]) != 8 || probe.U16(head[6..]) != 0) return null;
                var first = probe.U64(head[8..]);
                return first > long.MaxValue ? null : new TiffLayout(bigEndian, true, (long)first);
            default:
                return null;
        }
    }

    private static TiffDirectoryRead ReadTiffDirectory(
        Stream s, TiffLayout tiff, long offset, byte[] scratch, out TiffDirectory directory, out long next)
    {
        directory = new TiffDirectory { XResolutionAt = -1, YResolutionAt = -1, ResolutionUnit = 2 };
        next = 0;
        var length = s.Length;
        Span<byte> count = stackalloc byte[8];
        if (offset < 0 || offset > length - tiff.CountSize || !TryReadAt(s, offset, count[..tiff.CountSize]))
            return TiffDirectoryRead.OutsideFile;
        var entries = tiff.BigTiff ? tiff.U64(count) : tiff.U16(count);
        // libtiff refuses empty directories and ones claiming more than 4096 entries.
        if (entries is 0 or > MaxTiffDirectoryEntries) return TiffDirectoryRead.Corrupt;

        var tableLength = (int)entries * tiff.EntrySize + tiff.OffsetSize;
        var tableStart = offset + tiff.CountSize;
        if (tableStart > length - tableLength) return TiffDirectoryRead.OutsideFile;
        var table = scratch.AsSpan(0, tableLength);
        if (!TryReadAt(s, tableStart, table)) return TiffDirectoryRead.OutsideFile;

        bool haveWidth = false, haveHeight = false, haveX = false, haveY = false, haveUnit = false;
        for (var i = 0; i < (int)entries; i++)
        {
            var entry = table.Slice(i * tiff.EntrySize, tiff.EntrySize);
            var tag = tiff.U16(entry);
            var type = tiff.U16(entry[2..]);
            var valueCount = tiff.BigTiff ? tiff.U64(entry[4..]) : tiff.U32(entry[4..]);
            var value = entry[(tiff.BigTiff ? 12 : 8)..];
            // The first occurrence wins when a tag repeats, as in libtiff.
            switch (tag)
            {
                case 256 when !haveWidth: haveWidth = TryTiffInteger(tiff, type, valueCount, value, out directory.Width); break;
                case 257 when !haveHeight: haveHeight = TryTiffInteger(tiff, type, valueCount, value, out directory.Height); break;
                case 282 when !haveX: haveX = TryTiffRational(tiff, type, valueCount, value, tableStart + i * tiff.EntrySize + (tiff.BigTiff ? 12 : 8), out directory.XResolutionAt); break;
                case 283 when !haveY: haveY = TryTiffRational(tiff, type, valueCount, value, tableStart + i * tiff.EntrySize + (tiff.BigTiff ? 12 : 8), out directory.YResolutionAt); break;
                case 296 when !haveUnit: haveUnit = TryTiffInteger(tiff, type, valueCount, value, out directory.ResolutionUnit); break;
            }
        }
        if (!haveUnit) directory.ResolutionUnit = 2;

        var nextOffset = tiff.Offset(table[^tiff.OffsetSize..]);
        // An offset no stream can hold is as good as one past the end of this file.
        next = nextOffset > long.MaxValue ? -1 : (long)nextOffset;
        return TiffDirectoryRead.Read;
    }

    // SHORT, LONG or (BigTIFF) LONG8, held in the entry itself.
    private static bool TryTiffInteger(TiffLayout tiff, ushort type, ulong count, ReadOnlySpan<byte> value, out ulong result)
    {
        result = 0;
        if (count < 1) return false;
        switch (type)
        {
            case 3: result = tiff.U16(value); return true;
            case 4: result = tiff.U32(value); return true;
            case 16 when tiff.BigTiff: result = tiff.U64(value); return true;
            default: return false;
        }
    }

    // A RATIONAL is 8 bytes: held in the entry in BigTIFF, elsewhere in the file (at the offset given) in classic TIFF.
    // Only where it is gets noted; it is read once the directory is known to be a page.
    private static bool TryTiffRational(TiffLayout tiff, ushort type, ulong count, ReadOnlySpan<byte> value, long valueFieldAt, out long at)
    {
        at = -1;
        if (type != 5 || count < 1) return false;
        at = tiff.BigTiff ? valueFieldAt : tiff.U32(value);
        return true;
    }

    private static (double? X, double? Y) TiffDpi(Stream s, TiffLayout tiff, TiffDirectory directory)
    {
        // Unit 1 ("no absolute unit") states only an aspect ratio.
        var perUnit = directory.ResolutionUnit switch { 2 => 1.0, 3 => 2.54, _ => (double?)null };
        if (perUnit is null) return (null, null);
        return (ReadRational(s, tiff, directory.XResolutionAt) * perUnit, ReadRational(s, tiff, directory.YResolutionAt) * perUnit);
    }

    private static double? ReadRational(Stream s, TiffLayout tiff, long at)
    {
        Span<byte> rational = stackalloc byte[8];
        if (at < 0 || at > s.Length - 8 || !TryReadAt(s, at, rational)) return null;
        uint numerator = tiff.U32(rational), denominator = tiff.U32(rational[4..]);
        return numerator == 0 || denominator == 0 ? null : (double)numerator / denominator;
    }

    // ---- I/O ------------------------------------------------------------------------------------------------------

    /// <summary>Fills <paramref name="buffer"/> from <paramref name="offset"/>; false when the file ends first.</summary>
    private static bool TryReadAt(Stream s, long offset, Span<byte> buffer)
    {
        if (offset < 0 || offset > s.Length) return false;
        s.Seek(offset, SeekOrigin.Begin);
        return s.ReadAtLeast(buffer, buffer.Length, throwOnEndOfStream: false) == buffer.Length;
    }
}

/// <summary>What an image upload's headers say about it: its format and every frame (page) in it.</summary>
/// <param name="Format">The format the headers were read as.</param>
/// <param name="Frames">Every frame in file order; one for PNG and JPEG, one per page for TIFF. Never empty when returned by <see cref="ImageHeader.Read"/>.</param>
public sealed record ImageInfo(ScanFormat Format, IReadOnlyList<ImageFrame> Frames)
{
    /// <summary>Pixels across all frames, what a decoder would produce decoding them all; saturates at <see cref="long.MaxValue"/> rather than overflowing.</summary>
    public long TotalPixels
    {
        get
        {
            long total = 0;
            foreach (var frame in Frames)
            {
                // Each frame's count fits a long (int × int); only the sum can overflow.
                var pixels = (long)frame.Width * frame.Height;
                if (total > long.MaxValue - pixels) return long.MaxValue;
                total += pixels;
            }
            return total;
        }
    }

    /// <summary>Pixels in the largest frame, what a decoder holds at once when it decodes page by page; 0 with no frames.</summary>
    public long LargestFramePixels => Frames.Count == 0 ? 0 : Frames.Max(f => (long)f.Width * f.Height);
}

/// <summary>One frame (page) of an image as its header states it.</summary>
/// <param name="Width">Width in pixels.</param>
/// <param name="Height">Height in pixels.</param>
/// <param name="DpiX">Horizontal resolution in dots per inch, or null when the file states none (or only an aspect ratio).</param>
/// <param name="DpiY">Vertical resolution in dots per inch, or null when the file states none (or only an aspect ratio).</param>
public sealed record ImageFrame(int Width, int Height, double? DpiX, double? DpiY);
