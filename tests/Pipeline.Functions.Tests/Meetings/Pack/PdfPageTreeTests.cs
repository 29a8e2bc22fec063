using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Pipeline.Functions.Meetings;
using Pipeline.Testing;
using static Pipeline.Functions.Tests.Meetings.Pack.PackFixtures;

namespace Pipeline.Functions.Tests.Meetings.Pack;

/// <summary>The in-process page-size reader agrees with pdfinfo, or steps aside (null) for pdfinfo to read the file.</summary>
public sealed partial class PdfPageTreeTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("pipeline-pagetree-").FullName;

    public void Dispose() => PipelineApp.DeleteDirectory(_dir);

    [CorpusFact]
    public async Task Page_sizes_read_in_process_are_pdfinfos_for_every_corpus_pdf()
    {
        var files = Directory.EnumerateFiles(RepoPaths.Corpus, "*.pdf", SearchOption.AllDirectories).Order(StringComparer.Ordinal).ToList();
        // Cross-reference streams and object streams, which qpdf and many scanners write, alongside classic tables.
        var packed = Path.Combine(_dir, "object-streams.pdf");
        await ToolAsync("qpdf", "--object-streams=generate", Scan("doc000"), packed);
        files.Add(packed);

        var read = 0;
        foreach (var file in files)
        {
            var expected = await PdfinfoSizesAsync(file);
            var sizes = PdfPageTree.TryRead(file);
            if (expected is null || sizes is null) continue; // unreadable, or left to pdfinfo
            Assert.True(expected.Count == sizes.Count, $"{file}: {sizes.Count} pages, pdfinfo {expected.Count}");
            for (var i = 0; i < sizes.Count; i++)
                Assert.True(Math.Abs(sizes[i].Width - expected[i].Width) < 0.02 && Math.Abs(sizes[i].Height - expected[i].Height) < 0.02,
                    $"{file} page {i + 1}: {sizes[i]}, pdfinfo {expected[i]}");
            read++;
        }
        Assert.True(read >= files.Count - 3, $"only {read} of {files.Count} files were read in process");
    }

    [Fact]
    public async Task A_page_turned_by_rotate_or_replaced_by_an_incremental_update_has_its_new_shown_size()
    {
        var original = TextDocument(Path.Combine(_dir, "two.pdf"), 595.28, 841.89, "Trang một.", "Trang hai.");
        var turned = Path.Combine(_dir, "turned.pdf");
        await ToolAsync("qpdf", original, "--rotate=+90:2", "--", turned);
        Assert.Equal([new PackPageSize(595.28, 841.89), new PackPageSize(841.89, 595.28)], PdfPageTree.TryRead(turned));

        // Append a new version of page 1 (a 500 × 400 page) with its own cross-reference section pointing back (/Prev).
        var bytes = await File.ReadAllBytesAsync(original);
        var text = Encoding.Latin1.GetString(bytes);
        var page = PageObject().Match(text);
        var previous = long.Parse(StartXref().Matches(text)[^1].Groups[1].Value, CultureInfo.InvariantCulture);
        var size = SizeEntry().Match(text, (int)previous).Groups[1].Value;
        var body = page.Groups[2].Value.Replace("/MediaBox [0 0 595.28 841.89]", "/MediaBox [0 0 500 400]", StringComparison.Ordinal);
        var update = new StringBuilder($"\n{page.Groups[1].Value} 0 obj\n{body}\nendobj\n");
        var xref = bytes.Length + update.Length;
        update.Append(CultureInfo.InvariantCulture, $"xref\n{page.Groups[1].Value} 1\n{bytes.Length + 1:D10} 00000 n\r\n")
            .Append(CultureInfo.InvariantCulture, $"trailer\n<< /Size {size} /Root 1 0 R /Prev {previous} >>\nstartxref\n{xref}\n%%EOF\n");
        var updated = Path.Combine(_dir, "updated.pdf");
        await File.WriteAllBytesAsync(updated, [.. bytes, .. Encoding.Latin1.GetBytes(update.ToString())]);

        Assert.Equal(await PdfinfoSizesAsync(updated), PdfPageTree.TryRead(updated));
        Assert.Equal(new PackPageSize(500, 400), PdfPageTree.TryRead(updated)![0]);
    }

    [Fact]
    public async Task A_file_it_cannot_read_is_left_to_pdfinfo()
    {
        var damaged = Path.Combine(_dir, "damaged.pdf");
        await File.WriteAllTextAsync(damaged, "%PDF-1.7\nnot really a PDF\n");
        Assert.Null(PdfPageTree.TryRead(damaged));
        var encrypted = Path.Combine(_dir, "encrypted.pdf");
        await ToolAsync("qpdf", TextDocument(Path.Combine(_dir, "plain.pdf"), 595.28, 841.89, "Mật."), "--encrypt", "", "owner", "256", "--", encrypted);
        Assert.Null(PdfPageTree.TryRead(encrypted));
    }

    /// <summary>Each page's trim box turned by its rotation, from pdfinfo; null when pdfinfo cannot read the file.</summary>
    private static async Task<List<PackPageSize>?> PdfinfoSizesAsync(string pdf)
    {
        var result = await Pipeline.Functions.Digitise.ExternalTool.RunAsync("pdfinfo", ["-box", "-f", "1", "-l", "100000", pdf]);
        if (result.ExitCode != 0) return null;
        var rotations = BoxLine().Matches(result.Output).Where(m => m.Groups[2].Value == "rot:")
            .ToDictionary(m => m.Groups[1].Value, m => int.Parse(m.Groups[3].Value, CultureInfo.InvariantCulture));
        return BoxLine().Matches(result.Output).Where(m => m.Groups[2].Value == "TrimBox:").Select(m =>
        {
            var box = m.Groups[3].Value.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(v => double.Parse(v, CultureInfo.InvariantCulture)).ToArray();
            var (w, h) = (Math.Abs(box[2] - box[0]), Math.Abs(box[3] - box[1]));
            return rotations[m.Groups[1].Value] % 180 == 90 ? new PackPageSize(h, w) : new PackPageSize(w, h);
        }).ToList();
    }

    [GeneratedRegex(@"^Page\s+(\d+) (rot:|TrimBox:)\s+(.*)$", RegexOptions.Multiline)]
    private static partial Regex BoxLine();

    [GeneratedRegex(@"(\d+) 0 obj\n(<< /Type /Page .*?>>)\nendobj", RegexOptions.Singleline)]
    private static partial Regex PageObject();

    [GeneratedRegex(@"startxref\n(\d+)")]
    private static partial Regex StartXref();

    [GeneratedRegex(@"/Size (\d+)")]
    private static partial Regex SizeEntry();
}
