using System.IO.Compression;
using Microsoft.Win32.SafeHandles;

namespace Pipeline.Functions.Meetings;

/// <summary>
/// Reads each page's shown size from a PDF's cross-reference table and page tree, in this process: a few small reads
/// at the end of the file and wherever the page objects are, never the page contents. This saves starting pdfinfo
/// once per document (10 ms apiece, almost all of it process start-up: 40 documents cost a third of qpdf's whole
/// merge). Whatever it does not know how to read (encryption, hybrid cross-reference files, damaged files, unusual
/// filters) it leaves to pdfinfo by answering null.
/// </summary>
internal sealed class PdfPageTree : IDisposable
{
    private delegate T SpanParser<out T>(ReadOnlySpan<byte> data);

    /// <summary>Where an object is: at a file offset, or the <c>Index</c>-th object of object stream <c>Stream</c>; free when neither.</summary>
    private readonly record struct Location(long Offset, int Stream, int Index);

    private sealed record ObjectStream(byte[] Data, Dictionary<int, int> Offsets);

    private readonly SafeFileHandle _file;
    private readonly long _length;
    private readonly Dictionary<int, Location> _locations = [];
    private readonly Dictionary<int, object?> _objects = [];
    private readonly Dictionary<int, ObjectStream> _objectStreams = [];

    private PdfPageTree(string path)
    {
        _file = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read, FileOptions.RandomAccess);
        _length = RandomAccess.GetLength(_file);
    }

    /// <summary>Each page's trim box (qpdf's fallbacks: crop box, media box) turned by its /Rotate, in page order;
    /// null when the file is beyond this reader.</summary>
    public static IReadOnlyList<PackPageSize>? TryRead(string path)
    {
        try
        {
            using var tree = new PdfPageTree(path);
            return tree.Pages();
        }
        catch (Exception e) when (e is not (OperationCanceledException or OutOfMemoryException))
        {
            return null; // pdfinfo reads it, or says clearly what is wrong with it
        }
    }

    public void Dispose() => _file.Dispose();

    private List<PackPageSize> Pages()
    {
        var trailer = ReadCrossReferences();
        if (trailer.ContainsKey("/Encrypt")) throw new NotSupportedException("Encrypted.");
        var catalog = Dictionary(Resolve(trailer["/Root"]));
        var sizes = new List<PackPageSize>();
        Walk(Dictionary(Resolve(catalog["/Pages"])), null, null, 0, 0, sizes);
        return sizes;
    }

    /// <summary>Visits the page tree in order; /MediaBox, /CropBox and /Rotate are inherited (ISO 32000-1 §7.7.3.4).</summary>
    private void Walk(Dictionary<string, object?> node, double[]? media, double[]? crop, long rotate, int depth, List<PackPageSize> sizes)
    {
        if (depth > 64) throw new FormatException("Page tree too deep (or cyclic).");
        media = Box(node, "/MediaBox") ?? media;
        crop = Box(node, "/CropBox") ?? crop;
        if (node.TryGetValue("/Rotate", out var turn)) rotate = Convert.ToInt64(Resolve(turn));
        if (Resolve(node.GetValueOrDefault("/Type")) as string != "/Page" && node.TryGetValue("/Kids", out var kids))
        {
            foreach (var kid in List(Resolve(kids))) Walk(Dictionary(Resolve(kid)), media, crop, rotate, depth + 1, sizes);
            return;
        }
        var box = Box(node, "/TrimBox") ?? crop ?? media ?? throw new FormatException("A page without a media box.");
        var (width, height) = (Math.Abs(box[2] - box[0]), Math.Abs(box[3] - box[1]));
        sizes.Add((rotate % 360 + 360) % 360 is 90 or 270 ? new PackPageSize(height, width) : new PackPageSize(width, height));
    }

    private double[]? Box(Dictionary<string, object?> node, string key)
        => node.TryGetValue(key, out var value) && Resolve(value) is List<object?> { Count: 4 } box
            ? [.. box.Select(v => Convert.ToDouble(Resolve(v), System.Globalization.CultureInfo.InvariantCulture))]
            : null;

    /// <summary>Reads every cross-reference section from the last one back (/Prev); the newest entry for an object wins.
    /// Returns the newest trailer.</summary>
    private Dictionary<string, object?> ReadCrossReferences()
    {
        var tail = Read(Math.Max(0, _length - 1024), (int)Math.Min(1024, _length));
        var at = tail.AsSpan().LastIndexOf("startxref"u8);
        if (at < 0) throw new FormatException("No startxref.");
        var offset = new PdfObjectParser([.. tail, (byte)' '], at + 9).Integer();
        Dictionary<string, object?>? newest = null;
        var seen = new HashSet<long>();
        while (seen.Add(offset))
        {
            var trailer = ParseAt(offset, 1 << 16, CrossReferenceSection);
            newest ??= trailer;
            if (trailer.ContainsKey("/XRefStm")) throw new NotSupportedException("Hybrid cross-reference file.");
            if (!trailer.TryGetValue("/Prev", out var previous)) break;
            offset = Convert.ToInt64(previous);
        }
        return newest!;
    }

    /// <summary>One section: a classic "xref" table and its trailer, or a cross-reference stream (PDF 1.5).</summary>
    private Dictionary<string, object?> CrossReferenceSection(ReadOnlySpan<byte> data)
    {
        var parser = new PdfObjectParser(data);
        if (parser.KeywordAt() == "xref")
        {
            while (parser.KeywordAt() != "trailer")
            {
                var (first, count) = (parser.Integer(), parser.Integer());
                for (var i = 0; i < count; i++)
                {
                    var (offset, _) = (parser.Integer(), parser.Integer());
                    var inUse = parser.KeywordAt() == "n";
                    _locations.TryAdd(checked((int)(first + i)), new Location(inUse ? offset : -1, 0, 0));
                }
            }
            return Dictionary(parser.Value());
        }
        if (parser.IndirectObject() is not PdfStreamHead { Dictionary: var dictionary } head) throw new FormatException("No cross-reference here.");
        var length = checked((int)Convert.ToInt64(dictionary["/Length"])); // direct in a cross-reference stream (§7.5.8.2)
        if (head.DataStart + length > data.Length) throw new EndOfStreamException();
        var entries = Decode(dictionary, data.Slice(head.DataStart, length).ToArray());
        var widths = List(dictionary["/W"]).Select(Convert.ToInt32).ToArray();
        var index = dictionary.TryGetValue("/Index", out var ranges) ? List(ranges).Select(Convert.ToInt64).ToArray() : [0, Convert.ToInt64(dictionary["/Size"])];
        var position = 0;
        for (var r = 0; r < index.Length; r += 2)
            for (var n = index[r]; n < index[r] + index[r + 1]; n++)
            {
                var type = widths[0] == 0 ? 1 : Field(entries, ref position, widths[0]);
                var (second, third) = (Field(entries, ref position, widths[1]), Field(entries, ref position, widths[2]));
                _locations.TryAdd(checked((int)n), type switch
                {
                    1 => new Location(second, 0, 0),
                    2 => new Location(-1, checked((int)second), checked((int)third)),
                    _ => new Location(-1, 0, 0),
                });
            }
        return dictionary;
    }

    private static long Field(byte[] entries, ref int position, int width)
    {
        long value = 0;
        for (var i = 0; i < width; i++) value = value << 8 | entries[position++];
        return value;
    }

    private object? Resolve(object? value)
    {
        if (value is not PdfRef reference) return value;
        if (_objects.TryGetValue(reference.Number, out var known)) return known;
        _objects[reference.Number] = null; // a reference cycle resolves to null instead of recursing forever
        return _objects[reference.Number] = Load(reference.Number);
    }

    private object? Load(int number)
    {
        if (!_locations.TryGetValue(number, out var location)) return null; // an undefined object is null (§7.3.10)
        if (location.Offset >= 0)
        {
            var value = ParseAt(location.Offset, 4096, data => new PdfObjectParser(data).IndirectObject());
            return value is PdfStreamHead head ? new StoredStream(head.Dictionary, location.Offset + head.DataStart) : value;
        }
        if (location.Stream == 0) return null;
        var objects = LoadObjectStream(location.Stream);
        return new PdfObjectParser(objects.Data, objects.Offsets[number]).Value();
    }

    /// <summary>A stream in the file: its dictionary and the absolute offset of its data.</summary>
    private sealed record StoredStream(Dictionary<string, object?> Dictionary, long DataOffset);

    private ObjectStream LoadObjectStream(int number)
    {
        if (_objectStreams.TryGetValue(number, out var loaded)) return loaded;
        if (Resolve(new PdfRef(number, 0)) is not StoredStream stream) throw new FormatException("Not an object stream.");
        var length = Convert.ToInt64(Resolve(stream.Dictionary["/Length"]));
        if (length > 64 << 20) throw new NotSupportedException("Object stream too large.");
        var data = Decode(stream.Dictionary, Read(stream.DataOffset, (int)length));
        var count = Convert.ToInt32(Resolve(stream.Dictionary["/N"]));
        var first = Convert.ToInt32(Resolve(stream.Dictionary["/First"]));
        var header = new PdfObjectParser(data);
        var offsets = new Dictionary<int, int>();
        for (var i = 0; i < count; i++)
        {
            var (objectNumber, offset) = (checked((int)header.Integer()), checked((int)header.Integer()));
            offsets[objectNumber] = first + offset;
        }
        return _objectStreams[number] = new ObjectStream(data, offsets);
    }

    /// <summary>Undoes /FlateDecode and its PNG predictors (all cross-reference streams use them); nothing else.
    /// A space is appended so a number at the very end still ends.</summary>
    private static byte[] Decode(Dictionary<string, object?> dictionary, byte[] raw)
    {
        var filter = dictionary.GetValueOrDefault("/Filter") switch
        {
            null => null,
            string single => single,
            List<object?> { Count: 1 } one => one[0] as string,
            _ => throw new NotSupportedException("Filter chain."),
        };
        byte[] data;
        if (filter is null) data = raw;
        else if (filter == "/FlateDecode")
        {
            using var inflated = new MemoryStream();
            using (var zlib = new ZLibStream(new MemoryStream(raw), CompressionMode.Decompress)) zlib.CopyTo(inflated);
            data = inflated.ToArray();
        }
        else throw new NotSupportedException("Filter " + filter);

        var parameters = dictionary.GetValueOrDefault("/DecodeParms") switch
        {
            Dictionary<string, object?> d => d,
            List<object?> { Count: 1 } l => l[0] as Dictionary<string, object?>,
            _ => null,
        };
        var predictor = parameters?.GetValueOrDefault("/Predictor") is { } p ? Convert.ToInt32(p) : 1;
        if (predictor >= 10 && parameters is not null)
        {
            var colors = parameters.GetValueOrDefault("/Colors") is { } c ? Convert.ToInt32(c) : 1;
            var bits = parameters.GetValueOrDefault("/BitsPerComponent") is { } b ? Convert.ToInt32(b) : 8;
            var columns = parameters.GetValueOrDefault("/Columns") is { } n ? Convert.ToInt32(n) : 1;
            data = UndoPngPredictor(data, (colors * bits * columns + 7) / 8, Math.Max(1, colors * bits / 8));
        }
        else if (predictor != 1) throw new NotSupportedException("TIFF predictor.");
        return [.. data, (byte)' '];
    }

    /// <summary>Reverses PNG row filters (RFC 2083 §6): each row is a filter byte then <paramref name="rowBytes"/> bytes.</summary>
    private static byte[] UndoPngPredictor(byte[] data, int rowBytes, int pixelBytes)
    {
        var rows = data.Length / (rowBytes + 1);
        var output = new byte[rows * rowBytes];
        for (var r = 0; r < rows; r++)
        {
            var filter = data[r * (rowBytes + 1)];
            var source = data.AsSpan(r * (rowBytes + 1) + 1, rowBytes);
            var row = output.AsSpan(r * rowBytes, rowBytes);
            Span<byte> prior = r == 0 ? new byte[rowBytes] : output.AsSpan((r - 1) * rowBytes, rowBytes);
            for (var i = 0; i < rowBytes; i++)
            {
                int left = i >= pixelBytes ? row[i - pixelBytes] : 0, up = prior[i], upLeft = i >= pixelBytes ? prior[i - pixelBytes] : 0;
                row[i] = (byte)(source[i] + filter switch
                {
                    0 => 0,
                    1 => left,
                    2 => up,
                    3 => (left + up) / 2,
                    4 => Paeth(left, up, upLeft),
                    _ => throw new FormatException("PNG filter " + filter),
                });
            }
        }
        return output;
    }

    private static int Paeth(int left, int up, int upLeft)
    {
        var p = left + up - upLeft;
        var (pa, pb, pc) = (Math.Abs(p - left), Math.Abs(p - up), Math.Abs(p - upLeft));
        return pa <= pb && pa <= pc ? left : pb <= pc ? up : upLeft;
    }

    /// <summary>Parses at <paramref name="offset"/> from a window of the file, widening it while the object runs past its end.</summary>
    private T ParseAt<T>(long offset, int window, SpanParser<T> parse)
    {
        if (offset < 0 || offset >= _length) throw new FormatException("Offset outside the file.");
        for (var size = (long)window; ; size *= 4)
        {
            var count = (int)Math.Min(size, _length - offset);
            var atEnd = offset + count >= _length;
            var data = Read(offset, count);
            try
            {
                return parse(atEnd ? [.. data, (byte)' '] : data);
            }
            catch (EndOfStreamException) when (!atEnd && size < 64 << 20)
            {
                // the object runs past the window: read more
            }
        }
    }

    private byte[] Read(long offset, int count)
    {
        var buffer = new byte[count];
        var read = 0;
        while (read < count)
        {
            var n = RandomAccess.Read(_file, buffer.AsSpan(read), offset + read);
            if (n == 0) throw new EndOfStreamException();
            read += n;
        }
        return buffer;
    }

    private static Dictionary<string, object?> Dictionary(object? value)
        => value as Dictionary<string, object?> ?? (value as StoredStream)?.Dictionary ?? throw new FormatException("Expected a dictionary.");

    private static List<object?> List(object? value) => value as List<object?> ?? throw new FormatException("Expected an array.");
}
