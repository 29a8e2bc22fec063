using System.Globalization;
using Pipeline.Functions.Digitise;

namespace Pipeline.Functions.Meetings;

/// <summary>A page's size as a viewer shows it: its trim box, turned by its /Rotate.</summary>
internal readonly record struct PackPageSize(double Width, double Height);

/// <summary>
/// Reads the shown size of every page of the pack's documents: from the page tree in this process
/// (<see cref="PdfPageTree"/>), or with <c>pdfinfo -box</c> for a file that reader leaves alone. The stamps page
/// laid over a document page is made exactly this size, because qpdf scales an overlay to fit the page's trim box
/// keeping its proportions: an A4 stamp on a landscape page would put the page label mid-bottom, not in the corner.
/// Only the page tree is read, never the page contents.
/// </summary>
internal static class PackPageSizes
{
    /// <summary>Each document's page sizes, in plan order (items, then documents); checks the page counts against the plan.</summary>
    /// <exception cref="FileNotFoundException">A document's PDF is missing.</exception>
    /// <exception cref="InvalidOperationException">pdfinfo cannot read a document, or its page count is not the plan's.</exception>
    public static async Task<IReadOnlyList<PackPageSize>[]> ReadAsync(IReadOnlyList<PackDocument> documents, CancellationToken ct)
    {
        var sizes = new IReadOnlyList<PackPageSize>[documents.Count];
        // A pdfinfo is mostly process start-up; when several are needed, running them side by side hides it.
        var options = new ParallelOptions { MaxDegreeOfParallelism = Math.Max(2, Environment.ProcessorCount), CancellationToken = ct };
        await Parallel.ForEachAsync(Enumerable.Range(0, documents.Count), options,
            async (i, token) => sizes[i] = await ReadAsync(documents[i], token));
        return sizes;
    }

    private static async Task<IReadOnlyList<PackPageSize>> ReadAsync(PackDocument document, CancellationToken ct)
    {
        if (!File.Exists(document.PdfPath))
            throw new FileNotFoundException($"The archive PDF of \"{document.Label}\" is missing.", document.PdfPath);
        // Another page count than the plan's is left to pdfinfo too: it has the last word on what the file holds.
        if (PdfPageTree.TryRead(document.PdfPath) is { } read && read.Count == document.Pages) return read;
        var last = document.Pages.ToString(CultureInfo.InvariantCulture);
        var result = await ExternalTool.RunAsync("pdfinfo", ["-box", "-f", "1", "-l", last, document.PdfPath], ct);
        if (result.ExitCode != 0)
            throw new InvalidOperationException(
                $"pdfinfo cannot read the archive PDF of \"{document.Label}\" ({document.PdfPath}): {result.Errors.Trim()}");

        var pages = 0;
        var rotations = new Dictionary<int, int>();
        var boxes = new Dictionary<int, (double Width, double Height)>();
        foreach (var line in result.Output.Split('\n'))
        {
            // "Pages:           10", "Page    3 rot:   90", "Page    3 TrimBox:   0.00   0.00   595.44   841.68"
            var f = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (f is ["Pages:", var count]) pages = int.Parse(count, CultureInfo.InvariantCulture);
            else if (f is ["Page", var n, "rot:", var rot])
                rotations[int.Parse(n, CultureInfo.InvariantCulture)] = int.Parse(rot, CultureInfo.InvariantCulture);
            else if (f is ["Page", var m, "TrimBox:", var x0, var y0, var x1, var y1])
                boxes[int.Parse(m, CultureInfo.InvariantCulture)] = (Math.Abs(Number(x1) - Number(x0)), Math.Abs(Number(y1) - Number(y0)));
        }
        if (pages != document.Pages)
            throw new InvalidOperationException(
                $"The archive PDF of \"{document.Label}\" ({document.PdfPath}) has {pages} pages, not the {document.Pages} recorded.");

        var sizes = new PackPageSize[pages];
        for (var page = 1; page <= pages; page++)
        {
            if (!boxes.TryGetValue(page, out var box))
                throw new InvalidOperationException($"pdfinfo gave no size for page {page} of {document.PdfPath}.");
            var quarterTurn = ((rotations.GetValueOrDefault(page) % 360 + 360) % 360) is 90 or 270;
            sizes[page - 1] = quarterTurn ? new PackPageSize(box.Height, box.Width) : new PackPageSize(box.Width, box.Height);
        }
        return sizes;
    }

    private static double Number(string text) => double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture);
}
