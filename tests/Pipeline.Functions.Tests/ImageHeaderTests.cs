using System.Buffers.Binary;
using System.Diagnostics;
using Pipeline.Functions.Intake;
using Pipeline.Testing;

namespace Pipeline.Functions.Tests;

public sealed class ImageHeaderTests
{
    private static string Resource(string name) => RepoPaths.CorpusPath("ocrmypdf-resources", name);

    private static ImageInfo? Read(byte[] bytes, ScanFormat format)
    {
        using var stream = new MemoryStream(bytes, writable: false);
        return ImageHeader.Read(stream, format);
    }

    // ---- real files ---------------------------------------------------------------------------------------------

    [CorpusTheory]
    [InlineData("baiona.png", ScanFormat.Png, 640, 682)]
    [InlineData("baiona_alpha.png", ScanFormat.Png, 640, 682)]
    [InlineData("baiona_colormapped.png", ScanFormat.Png, 640, 682)]
    [InlineData("baiona_gray.png", ScanFormat.Png, 640, 682)]
    [InlineData("crom.png", ScanFormat.Png, 400, 50)]
    [InlineData("linn.png", ScanFormat.Png, 2550, 3300)]
    [InlineData("typewriter.png", ScanFormat.Png, 4000, 2864)]
    [InlineData("baiona_color.jpg", ScanFormat.Jpeg, 640, 682)]
    [InlineData("baiona_cmyk.jpg", ScanFormat.Jpeg, 640, 682)]
    public void Real_scans_report_their_true_size(string file, ScanFormat format, int width, int height)
    {
        using var stream = File.OpenRead(Resource(file));

        var info = ImageHeader.Read(stream, format);

        Assert.NotNull(info);
        Assert.Equal(format, info.Format);
        var frame = Assert.Single(info.Frames);
        Assert.Equal((width, height), (frame.Width, frame.Height));
        Assert.Equal((long)width * height, info.TotalPixels);
        Assert.Equal((long)width * height, info.LargestFramePixels);
    }

    [CorpusFact]
    public void A_jpeg_resolution_stated_only_in_exif_is_read()
    {
        // baiona_cmyk.jpg has no JFIF segment; its EXIF (big-endian TIFF) says 200/1 per inch.
        using var stream = File.OpenRead(Resource("baiona_cmyk.jpg"));

        var frame = Assert.Single(ImageHeader.Read(stream, ScanFormat.Jpeg)!.Frames);

        Assert.Equal(200, frame.DpiX);
        Assert.Equal(200, frame.DpiY);
    }

    [CorpusFact]
    public void A_jfif_aspect_ratio_is_not_mistaken_for_a_resolution()
    {
        // baiona_color.jpg's JFIF density is 1×1 with units 0: a pixel aspect ratio, not dots per inch.
        using var stream = File.OpenRead(Resource("baiona_color.jpg"));

        var frame = Assert.Single(ImageHeader.Read(stream, ScanFormat.Jpeg)!.Frames);

        Assert.Null(frame.DpiX);
        Assert.Null(frame.DpiY);
    }

    [CorpusFact]
    public void A_png_without_phys_has_no_resolution()
    {
        using var stream = File.OpenRead(Resource("linn.png"));

        var frame = Assert.Single(ImageHeader.Read(stream, ScanFormat.Png)!.Frames);

        Assert.Null(frame.DpiX);
        Assert.Null(frame.DpiY);
    }

    [CorpusTheory]
    [InlineData("baiona_color.jpg", ScanFormat.Jpeg)]
    [InlineData("baiona_cmyk.jpg", ScanFormat.Jpeg)]
    [InlineData("crom.png", ScanFormat.Png)]
    public void Every_cut_before_the_frame_size_is_unreadable(string file, ScanFormat format)
    {
        var bytes = File.ReadAllBytes(Resource(file));
        var sizeEnds = format == ScanFormat.Png ? 33 : EndOfJpegFrameHeader(bytes);

        for (var length = 0; length < sizeEnds; length++)
            Assert.Null(Read(bytes[..length], format));
    }

    [CorpusFact]
    public void The_stream_is_read_from_its_start_wherever_it_stands()
    {
        using var stream = File.OpenRead(Resource("crom.png"));
        stream.Seek(100, SeekOrigin.Begin);

        var frame = Assert.Single(ImageHeader.Read(stream, ScanFormat.Png)!.Frames);

        Assert.Equal((400, 50), (frame.Width, frame.Height));
    }

    [CorpusFact]
    public void Bytes_of_another_format_are_not_readable_as_this_one()
    {
        var png = File.ReadAllBytes(Resource("crom.png"));
        var jpeg = File.ReadAllBytes(Resource("baiona_color.jpg"));

        Assert.Null(Read(png, ScanFormat.Jpeg));
        Assert.Null(Read(png, ScanFormat.Tiff));
        Assert.Null(Read(jpeg, ScanFormat.Png));
        Assert.Null(Read(jpeg, ScanFormat.Tiff));
    }

    [Theory]
    [InlineData(ScanFormat.Pdf)]
    [InlineData(ScanFormat.Unknown)]
    public void Only_image_formats_are_read(ScanFormat format)
        => Assert.Throws<ArgumentException>(() => Read(Png(640, 480), format));

    // ---- PNG ----------------------------------------------------------------------------------------------------

    [Fact]
    public void A_png_bomb_is_measured_without_allocating_for_it()
    {
        // 100 000 × 100 000 claimed in a 45-byte file with no image data at all.
        var bomb = Png(100_000, 100_000);

        var before = GC.GetAllocatedBytesForCurrentThread();
        var info = Read(bomb, ScanFormat.Png);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.NotNull(info);
        Assert.Equal(10_000_000_000, info.TotalPixels);
        Assert.True(allocated < 64 * 1024, $"allocated {allocated} bytes");
    }

    [Fact]
    public void A_png_resolution_in_pixels_per_metre_is_given_in_dpi()
    {
        // 11 811 px/m is what 300 dpi becomes when written to pHYs.
        var frame = Assert.Single(Read(Png(2480, 3508, phys: (11_811, 11_811, 1)), ScanFormat.Png)!.Frames);

        Assert.Equal(300, frame.DpiX!.Value, precision: 1);
        Assert.Equal(300, frame.DpiY!.Value, precision: 1);
    }

    [Fact]
    public void A_png_aspect_ratio_is_not_a_resolution()
    {
        var frame = Assert.Single(Read(Png(100, 100, phys: (1, 2, 0)), ScanFormat.Png)!.Frames);

        Assert.Null(frame.DpiX);
    }

    [Theory]
    [InlineData(0u, 100u)]
    [InlineData(100u, 0u)]
    [InlineData(0x8000_0000u, 1u)]
    public void A_png_with_an_impossible_dimension_is_unreadable(uint width, uint height)
        => Assert.Null(Read(Png(width, height), ScanFormat.Png));

    [Fact]
    public void A_png_whose_header_fails_its_crc_is_unreadable()
    {
        var png = Png(640, 480);
        png[19] ^= 0x01; // width 640 → 641; the CRC no longer matches

        Assert.Null(Read(png, ScanFormat.Png));
    }

    // ---- JPEG ---------------------------------------------------------------------------------------------------

    [Fact]
    public void A_jpeg_frame_size_is_found_past_fill_bytes_standalone_markers_and_tables()
    {
        byte[] jpeg =
        [
            0xFF, 0xD8,
            0xFF, 0xFF, 0xFF, 0xE0, 0x00, 0x10, .."JFIF\0"u8, 1, 2, 2, 0x00, 0x76, 0x00, 0x76, 0, 0, // 118 dots/cm
            0xFF, 0x01,                                     // TEM: no length
            0xFF, 0xD0,                                     // RST0: no length
            0xFF, 0xC4, 0x00, 0x05, 0xC0, 0xFF, 0x01,       // DHT: C4 is not a frame, however its payload looks
            0xFF, 0xCC, 0x00, 0x04, 0x00, 0x00,             // DAC: not a frame either
            0xFF, 0xC2, 0x00, 0x0B, 8, 0x04, 0xB0, 0x03, 0x20, 1, 1, 0x11, 0, // SOF2 (progressive): 1200 high, 800 wide
        ];

        var frame = Assert.Single(Read(jpeg, ScanFormat.Jpeg)!.Frames);

        Assert.Equal((800, 1200), (frame.Width, frame.Height));
        Assert.Equal(299.72, frame.DpiX!.Value, precision: 2);
        Assert.Equal(299.72, frame.DpiY!.Value, precision: 2);
    }

    [Fact]
    public void A_jpeg_bomb_is_measured_from_its_frame_header()
    {
        byte[] jpeg = [0xFF, 0xD8, 0xFF, 0xC0, 0x00, 0x0B, 8, 0xFF, 0xFF, 0xFF, 0xFF, 1, 1, 0x11, 0];

        Assert.Equal(65_535L * 65_535, Read(jpeg, ScanFormat.Jpeg)!.TotalPixels);
    }

    [Fact]
    public void A_jpeg_without_a_frame_header_is_unreadable()
    {
        byte[] scanFirst = [0xFF, 0xD8, 0xFF, 0xDA, 0x00, 0x02, 0xFF, 0xC0, 0x00, 0x0B, 8, 0, 1, 0, 1, 1, 1, 0x11, 0];
        byte[] endsAtOnce = [0xFF, 0xD8, 0xFF, 0xD9];
        byte[] onlyFill = [0xFF, 0xD8, .. Enumerable.Repeat((byte)0xFF, 10_000)];

        Assert.Null(Read(scanFirst, ScanFormat.Jpeg));
        Assert.Null(Read(endsAtOnce, ScanFormat.Jpeg));
        Assert.Null(Read(onlyFill, ScanFormat.Jpeg));
    }

    [Fact]
    public void A_jpeg_whose_height_waits_for_a_dnl_marker_is_unreadable()
    {
        // Height 0 defers the height to after the first scan, where no header reader can bound it.
        byte[] jpeg = [0xFF, 0xD8, 0xFF, 0xC0, 0x00, 0x0B, 8, 0x00, 0x00, 0x03, 0x20, 1, 1, 0x11, 0];

        Assert.Null(Read(jpeg, ScanFormat.Jpeg));
    }

    [Fact]
    public void A_jpeg_segment_running_past_the_end_is_unreadable()
    {
        byte[] jpeg = [0xFF, 0xD8, 0xFF, 0xE1, 0xFF, 0xF0, .."Exif\0\0"u8, 0x4D, 0x4D];

        Assert.Null(Read(jpeg, ScanFormat.Jpeg));
    }

    // ---- TIFF ---------------------------------------------------------------------------------------------------

    [Fact]
    public void Every_page_of_a_multi_page_tiff_is_measured()
    {
        var tiff = Tiff(
        [
            new(2480, 3508, Resolution: (300, 1)),
            new(1654, 2339, LongDimensions: true, Resolution: (200, 1), Unit: 2),
            new(2480, 3508, Resolution: (11_811, 100), Unit: 3), // 118.11 per cm
        ]);

        var info = Read(tiff.Bytes, ScanFormat.Tiff);

        Assert.NotNull(info);
        Assert.Equal(ScanFormat.Tiff, info.Format);
        Assert.Equal([(2480, 3508), (1654, 2339), (2480, 3508)], info.Frames.Select(f => (f.Width, f.Height)));
        Assert.Equal([300.0, 200.0, 300.0], info.Frames.Select(f => Math.Round(f.DpiX!.Value, 1)));
        Assert.Equal(2L * 2480 * 3508 + 1654 * 2339, info.TotalPixels);
        Assert.Equal(2480L * 3508, info.LargestFramePixels);
    }

    [Theory]
    [InlineData(false, false)]
    [InlineData(true, false)]
    [InlineData(false, true)]
    [InlineData(true, true)]
    public void Tiffs_are_read_in_either_byte_order_classic_or_big(bool bigEndian, bool bigTiff)
    {
        var tiff = Tiff([new(1700, 2200, LongDimensions: true, Resolution: (200, 1)), new(850, 1100, Resolution: (100, 1))], bigEndian, bigTiff);

        var info = Read(tiff.Bytes, ScanFormat.Tiff);

        Assert.NotNull(info);
        Assert.Equal([(1700, 2200, 200.0), (850, 1100, 100.0)], info.Frames.Select(f => (f.Width, f.Height, f.DpiX!.Value)));
    }

    [Fact]
    public void A_tiff_page_without_a_resolution_unit_is_in_inches_and_one_without_units_has_no_dpi()
    {
        var tiff = Tiff([new(100, 100, Resolution: (150, 1), Unit: null), new(100, 100, Resolution: (150, 1), Unit: 1), new(100, 100)]);

        var info = Read(tiff.Bytes, ScanFormat.Tiff)!;

        Assert.Equal(new double?[] { 150, null, null }, info.Frames.Select(f => f.DpiY));
    }

    [Fact]
    public void A_tiff_whose_pages_loop_back_is_read_once_through()
    {
        var tiff = Tiff([new(100, 200), new(300, 400)]);
        tiff.SetNext(page: 1, tiff.Directories[0]);

        var info = Read(tiff.Bytes, ScanFormat.Tiff);

        Assert.Equal([(100, 200), (300, 400)], info!.Frames.Select(f => (f.Width, f.Height)));
    }

    [Fact]
    public void A_tiff_page_pointing_to_itself_is_read_once()
    {
        var tiff = Tiff([new(100, 200)]);
        tiff.SetNext(page: 0, tiff.Directories[0]);

        Assert.Single(Read(tiff.Bytes, ScanFormat.Tiff)!.Frames);
    }

    [Fact]
    public void A_next_page_outside_the_file_ends_the_tiff_after_the_pages_read()
    {
        var tiff = Tiff([new(100, 200), new(300, 400)]);
        tiff.SetNext(page: 1, 0x7FFF_FFF0);

        Assert.Equal(2, Read(tiff.Bytes, ScanFormat.Tiff)!.Frames.Count);
    }

    [Fact]
    public void A_tiff_cut_off_inside_a_later_page_keeps_the_pages_before_it()
    {
        var tiff = Tiff([new(100, 200), new(300, 400)]);

        var info = Read(tiff.Bytes[..(int)(tiff.Directories[1] + 6)], ScanFormat.Tiff);

        Assert.Equal([(100, 200)], info!.Frames.Select(f => (f.Width, f.Height)));
    }

    [Fact]
    public void A_tiff_whose_first_page_is_not_in_the_file_is_unreadable()
    {
        var tiff = Tiff([new(100, 200)]);

        for (var length = 0; length < tiff.Directories[0] + 2 + 3 * 12 + 4; length++)
            Assert.Null(Read(tiff.Bytes[..length], ScanFormat.Tiff));
    }

    [Fact]
    public void A_tiff_page_without_a_size_is_unreadable()
    {
        var noHeight = Tiff([new(100, 200), new(300, 400, OmitHeight: true)]);
        var zeroWidth = Tiff([new(0, 200)]);

        Assert.Null(Read(noHeight.Bytes, ScanFormat.Tiff));
        Assert.Null(Read(zeroWidth.Bytes, ScanFormat.Tiff));
    }

    [Fact]
    public void A_tiff_directory_claiming_more_entries_than_libtiff_accepts_is_unreadable()
    {
        // 65 535 entries claimed; the file holds three.
        var tiff = Tiff([new(100, 200)]);
        tiff.Bytes[tiff.Directories[0]] = 0xFF;
        tiff.Bytes[tiff.Directories[0] + 1] = 0xFF;

        Assert.Null(Read(tiff.Bytes, ScanFormat.Tiff));
    }

    [Fact]
    public void A_tiff_bomb_of_many_large_pages_adds_up_without_overflow()
    {
        var pages = Enumerable.Repeat(new TiffPage(uint.MaxValue >> 1, uint.MaxValue >> 1, LongDimensions: true), 3).ToArray();

        var info = Read(Tiff(pages).Bytes, ScanFormat.Tiff)!;

        Assert.Equal(3, info.Frames.Count);
        Assert.Equal(long.MaxValue, info.TotalPixels);
        Assert.Equal((long)int.MaxValue * int.MaxValue, info.LargestFramePixels);
    }

    [Fact]
    public void A_tiff_dimension_beyond_what_a_frame_can_hold_is_unreadable()
        => Assert.Null(Read(Tiff([new(0x8000_0000, 1, LongDimensions: true)]).Bytes, ScanFormat.Tiff));

    [Fact]
    public void A_tiff_of_ten_thousand_pages_is_read_and_one_page_more_is_refused()
    {
        var limit = Tiff(Enumerable.Repeat(new TiffPage(10, 10), 10_000).ToArray());
        var beyond = Tiff(Enumerable.Repeat(new TiffPage(10, 10), 10_001).ToArray());

        var clock = Stopwatch.StartNew();
        Assert.Equal(10_000, Read(limit.Bytes, ScanFormat.Tiff)!.Frames.Count);
        Assert.Null(Read(beyond.Bytes, ScanFormat.Tiff));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), $"took {clock.Elapsed}");
    }

    // ---- building files by hand ---------------------------------------------------------------------------------

    /// <summary>A PNG of signature, IHDR (8-bit grey), an optional pHYs and IEND: headers only, no image data.</summary>
    private static byte[] Png(uint width, uint height, (uint X, uint Y, byte Unit)? phys = null)
    {
        var bytes = new List<byte> { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A };
        Chunk("IHDR", [.. BigEndian(width), .. BigEndian(height), 8, 0, 0, 0, 0]);
        if (phys is { } p) Chunk("pHYs", [.. BigEndian(p.X), .. BigEndian(p.Y), p.Unit]);
        Chunk("IEND", []);
        return [.. bytes];

        void Chunk(string type, byte[] data)
        {
            byte[] typeAndData = [.. System.Text.Encoding.ASCII.GetBytes(type), .. data];
            bytes.AddRange(BigEndian((uint)data.Length));
            bytes.AddRange(typeAndData);
            bytes.AddRange(BigEndian(Crc32(typeAndData)));
        }
    }

    private static byte[] BigEndian(uint value)
    {
        var bytes = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(bytes, value);
        return bytes;
    }

    private static uint Crc32(ReadOnlySpan<byte> data)
    {
        var crc = 0xFFFF_FFFFu;
        foreach (var b in data)
        {
            crc ^= b;
            for (var k = 0; k < 8; k++) crc = (crc & 1) != 0 ? 0xEDB8_8320u ^ (crc >> 1) : crc >> 1;
        }
        return ~crc;
    }

    /// <summary>Where the first frame header's height and width end in a JPEG (so cutting before it loses the size).</summary>
    private static int EndOfJpegFrameHeader(byte[] jpeg)
    {
        for (var i = 2; ; i += 2 + BinaryPrimitives.ReadUInt16BigEndian(jpeg.AsSpan(i + 2)))
        {
            if (jpeg[i + 1] is >= 0xC0 and <= 0xCF and not (0xC4 or 0xC8 or 0xCC)) return i + 2 + 2 + 5;
        }
    }

    private sealed record TiffPage(
        uint Width, uint Height, bool LongDimensions = false, (uint Numerator, uint Denominator)? Resolution = null,
        ushort? Unit = null, bool OmitHeight = false);

    /// <summary>A TIFF file's bytes, where each page's directory starts, and a way to rewire the page chain.</summary>
    private sealed record TiffFile(byte[] Bytes, int[] Directories, int[] NextPointers, bool BigEndian, bool BigTiff)
    {
        public void SetNext(int page, long offset) => Put(Bytes, NextPointers[page], (ulong)offset, BigTiff ? 8 : 4, BigEndian);
    }

    /// <summary>
    /// A TIFF of <paramref name="pages"/> as a writer lays one out: header, then per page its directory (tags in
    /// ascending order, including a Compression tag the reader has no use for) followed by its resolution values.
    /// No pixel data: only headers matter here.
    /// </summary>
    private static TiffFile Tiff(TiffPage[] pages, bool bigEndian = false, bool bigTiff = false)
    {
        int countSize = bigTiff ? 8 : 2, entrySize = bigTiff ? 20 : 12, offsetSize = bigTiff ? 8 : 4;
        var bytes = new List<byte>();
        var directories = new int[pages.Length];
        var nextPointers = new int[pages.Length];
        bytes.AddRange(bigEndian ? "MM"u8.ToArray() : "II"u8.ToArray());
        Append(bigTiff ? 43u : 42u, 2);
        if (bigTiff) { Append(8, 2); Append(0, 2); }
        var firstPointer = bytes.Count;
        Append(0, offsetSize);

        var previousPointer = firstPointer;
        for (var p = 0; p < pages.Length; p++)
        {
            var page = pages[p];
            var entries = new List<(ushort Tag, ushort Type, ulong Value)>
            {
                (256, page.LongDimensions ? (ushort)4 : (ushort)3, page.Width),
            };
            if (!page.OmitHeight) entries.Add((257, page.LongDimensions ? (ushort)4 : (ushort)3, page.Height));
            entries.Add((259, 3, 1));
            var rationalsAt = bytes.Count + countSize + (entries.Count + (page.Resolution is null ? 0 : 2) + (page.Unit is null ? 0 : 1)) * entrySize + offsetSize;
            if (page.Resolution is not null)
            {
                entries.Add((282, 5, bigTiff ? 0 : (ulong)rationalsAt));
                entries.Add((283, 5, bigTiff ? 0 : (ulong)rationalsAt + 8));
            }
            if (page.Unit is { } unit) entries.Add((296, 3, unit));

            directories[p] = bytes.Count;
            Put(bytes, previousPointer, (ulong)bytes.Count, offsetSize, bigEndian);
            Append((ulong)entries.Count, countSize);
            foreach (var (tag, type, value) in entries)
            {
                Append(tag, 2);
                Append(type, 2);
                Append(1, bigTiff ? 8 : 4);
                if (type == 5 && bigTiff) { Append(page.Resolution!.Value.Numerator, 4); Append(page.Resolution!.Value.Denominator, 4); }
                else if (type == 3) { Append(value, 2); Append(0, offsetSize - 2); }
                else { Append(value, 4); Append(0, offsetSize - 4); }
            }
            previousPointer = nextPointers[p] = bytes.Count;
            Append(0, offsetSize);
            if (page.Resolution is { } r && !bigTiff)
            {
                Append(r.Numerator, 4); Append(r.Denominator, 4);
                Append(r.Numerator, 4); Append(r.Denominator, 4);
            }
        }
        return new TiffFile([.. bytes], directories, nextPointers, bigEndian, bigTiff);

        void Append(ulong value, int size)
        {
            var at = bytes.Count;
            bytes.AddRange(new byte[size]);
            Put(bytes, at, value, size, bigEndian);
        }
    }

    private static void Put(IList<byte> bytes, int at, ulong value, int size, bool bigEndian)
    {
        for (var i = 0; i < size; i++)
            bytes[at + (bigEndian ? size - 1 - i : i)] = (byte)(value >> (8 * i));
    }
}
