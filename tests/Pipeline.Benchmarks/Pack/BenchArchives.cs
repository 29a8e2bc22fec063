namespace Pipeline.Benchmarks.Pack;

/// <summary>
/// Archive-like PDFs for the pack benchmark, made as the app makes them: a corpus scan page with Tesseract's
/// invisible text laid over it by qpdf (the original JPEG untouched). A handful of pages are OCR'd once; each
/// document is then composed with qpdf from copies of them, every page from its own file so that it has its own
/// image and text objects, as a real multi-page scan does (qpdf would share the objects of a page picked twice).
/// </summary>
internal static class BenchArchives
{
    private const int DistinctPages = 6;

    /// <summary>Makes <paramref name="count"/> PDFs of <paramref name="pages"/> pages each under <paramref name="dir"/>.</summary>
    public static async Task<List<BenchDocument>> MakeAsync(string corpus, int count, int pages, string dir)
    {
        var scans = BenchmarkCorpus.Load(corpus).Take(DistinctPages).Select(s => s.ScanPath).ToList();
        var searchable = new string[scans.Count];
        // Only a few pages, OCR'd once before anything is timed: two at a time keeps the set-up short.
        using var gate = new SemaphoreSlim(2);
        await Task.WhenAll(scans.Select(async (scan, i) =>
        {
            await gate.WaitAsync();
            try { searchable[i] = await OcrFirstPageAsync(scan, Path.Combine(dir, $"page{i}")); }
            finally { gate.Release(); }
        }));

        var copies = Path.Combine(dir, "copies");
        Directory.CreateDirectory(copies);
        var documents = new List<BenchDocument>();
        for (var d = 0; d < count; d++)
        {
            var parts = new List<string>();
            for (var p = 0; p < pages; p++)
            {
                var source = searchable[(d + p) % searchable.Length];
                var copy = Path.Combine(copies, $"{Path.GetFileNameWithoutExtension(source)}-{p}.pdf");
                if (!File.Exists(copy)) File.Copy(source, copy);
                parts.Add(copy);
            }
            var document = Path.Combine(dir, $"archive{d + 1:D3}.pdf");
            await ToolAsync("qpdf", ["--empty", "--pages", .. parts, "--", document]);
            documents.Add(new BenchDocument($"Tài liệu số {d + 1}/BC-VP — Về việc báo cáo kết quả công tác", document, pages));
        }
        return documents;
    }

    /// <summary>Page 1 of <paramref name="scan"/> with its OCR text layer, as <c>{stem}.pdf</c>.</summary>
    private static async Task<string> OcrFirstPageAsync(string scan, string stem)
    {
        await ToolAsync("pdftoppm", ["-r", "200", "-gray", "-png", "-singlefile", "-f", "1", "-l", "1", scan, stem]);
        await ToolAsync("tesseract", [stem + ".png", stem + "-text", "-l", "vie", "--dpi", "200", "-c", "textonly_pdf=1", "pdf"]);
        await ToolAsync("qpdf", [scan, "--pages", ".", "1", "--", "--overlay", stem + "-text.pdf", "--", stem + ".pdf"]);
        return stem + ".pdf";
    }

    private static async Task ToolAsync(string tool, string[] arguments)
    {
        var (exit, output) = await BenchmarkCorpus.RunToolAsync(tool, arguments, null);
        if (exit != 0) throw new InvalidOperationException($"{tool} failed ({exit}): {output}");
    }
}
