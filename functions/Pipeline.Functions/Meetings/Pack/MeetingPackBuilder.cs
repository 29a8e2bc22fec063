using System.Globalization;
using System.Runtime.CompilerServices;
using Pipeline.Functions.Digitise;
using Pipeline.Functions.Meetings.Pdf;

[assembly: InternalsVisibleTo("Pipeline.Functions.Tests")]

namespace Pipeline.Functions.Meetings;

/// <summary>
/// Builds a meeting pack: one PDF with the cover and agenda, then for each item a divider page followed by the item's
/// archive PDFs, bookmarks "Chương trình" and one per item, and each document page labelled "item.page" (2.3 is the
/// third page of item 2's documents). A participant's copy also carries their watermark on every page.
/// </summary>
/// <remarks>
/// <para>The pack's own pages (front.pdf) and the labels and watermark (stamps.pdf, one page per stamped pack page)
/// are written with <see cref="PdfWriter"/>; then a single qpdf run binds front.pdf's pages and the documents'
/// in order and lays stamps.pdf over the result. front.pdf is qpdf's primary input, so its bookmarks and the
/// divider pages they open come through as they are. This process reads only the documents' page trees (for their
/// page sizes, see <see cref="PackPageSizes"/>); qpdf copies their pages, images and text layers unchanged, so their
/// text stays selectable, and neither process holds more than a page's worth of a document at once.</para>
/// <para>Deterministic: the same plan, watermark and document files give a byte-identical pack (no dates or paths
/// are written; the file /ID is a hash of the inputs, see <see cref="PackFileId"/>).</para>
/// </remarks>
public static class MeetingPackBuilder
{
    /// <summary>
    /// Builds the pack at <paramref name="outputPath"/> (written beside it first and moved into place, so a failed
    /// build never leaves a partial pack under that name). Scratch files go to a fresh folder inside
    /// <paramref name="workDirectory"/>, removed afterwards, so builds may share a work directory.
    /// </summary>
    /// <param name="plan">The meeting and its items; documents are bound in the order given.</param>
    /// <param name="outputPath">Where the pack goes; replaced if it exists.</param>
    /// <param name="watermark">Null for the master copy; otherwise the text (e.g. "Nguyễn Văn A — bản 3") laid
    /// lightly and diagonally across every page of this copy.</param>
    /// <param name="workDirectory">Where scratch files may be written (created if missing).</param>
    /// <param name="ct">Cancels the build (the running tool is killed).</param>
    /// <returns>Where each item's divider and documents are in the pack.</returns>
    /// <exception cref="ArgumentException">Two items share a number, or a number or page count is not positive.</exception>
    /// <exception cref="FileNotFoundException">A document's archive PDF is missing.</exception>
    /// <exception cref="InvalidOperationException">A document cannot be read or has another page count than the
    /// plan says, or qpdf failed (the message carries its error).</exception>
    public static Task<PackLayout> BuildAsync(PackPlan plan, string outputPath, string? watermark, string workDirectory, CancellationToken ct)
        => BuildAsync(plan, outputPath, watermark, workDirectory, ["qpdf"], ct);

    /// <summary>As the public overload; <paramref name="qpdfCommand"/> is how qpdf is started (e.g. under
    /// <c>/usr/bin/time</c>, so tests and the benchmark can measure its peak memory).</summary>
    internal static async Task<PackLayout> BuildAsync(PackPlan plan, string outputPath, string? watermark, string workDirectory,
        IReadOnlyList<string> qpdfCommand, CancellationToken ct)
    {
        Check(plan);
        if (string.IsNullOrWhiteSpace(watermark)) watermark = null;
        var documents = plan.Items.SelectMany(i => i.Documents).ToList();
        var scratch = Path.Combine(workDirectory, "pack-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(scratch);
        var partial = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(outputPath))!, $".{Path.GetFileName(outputPath)}.{Guid.NewGuid():N}.partial");
        try
        {
            // front.pdf needs only the plan, the stamps every page's size: write the one while the other is read.
            var reading = PackPageSizes.ReadAsync(documents, ct);
            var front = Path.Combine(scratch, "front.pdf");
            int frontPages;
            try
            {
                frontPages = PackFrontPages.Write(plan, front);
            }
            catch
            {
                await ((Task)reading).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing); // leave no pdfinfo running
                throw;
            }
            var sizes = await reading;

            var (layout, stamps) = Lay(plan, frontPages, sizes, watermark is not null);
            var stampsPdf = Path.Combine(scratch, "stamps.pdf");
            if (stamps.Count > 0) PackStamps.Write(stamps, watermark, stampsPdf);

            var result = await ExternalTool.RunAsync(qpdfCommand[0],
                [.. qpdfCommand.Skip(1), .. QpdfArguments(plan, frontPages, front, stamps, stampsPdf, partial)], ct, QpdfEnvironment);
            // Exit 3 is "succeeded with warnings" (e.g. a document's repaired xref): the pack is complete.
            if (result.ExitCode is not (0 or 3))
                throw new InvalidOperationException($"qpdf could not bind the meeting pack (exit code {result.ExitCode}): {result.Errors.Trim()}");
            PackFileId.Replace(partial, PackFileId.Compute(stamps.Count > 0 ? [front, stampsPdf] : [front], documents.Select(d => d.PdfPath)));
            File.Move(partial, outputPath, overwrite: true);
            return layout;
        }
        finally
        {
            File.Delete(partial);
            Directory.Delete(scratch, recursive: true);
        }
    }

    /// <summary>
    /// qpdf allocates and frees a buffer of a few hundred KB per scan image, and lays the overlay on with many more
    /// small allocations. With glibc's default 128 KB top pad the heap shrinks and regrows around them, and every
    /// regrowth faults its pages in again: measured on a 400-page pack, 80 000 minor faults and a third of qpdf's CPU
    /// time. With a 16 MB pad: 10 000 faults, the same peak RSS. Other C libraries ignore the variable.
    /// </summary>
    private static readonly Dictionary<string, string> QpdfEnvironment = new() { ["GLIBC_TUNABLES"] = "glibc.malloc.top_pad=16777216" };

    /// <summary>Numbers the pack's pages and lists what is laid over each: every document page gets its label;
    /// with a watermark, every page (cover and dividers included) gets a stamp.</summary>
    private static (PackLayout Layout, List<PackStamp> Stamps) Lay(PackPlan plan, int frontPages,
        IReadOnlyList<PackPageSize>[] sizes, bool watermarked)
    {
        var a4 = new PackPageSize(PdfWriter.A4Width, PdfWriter.A4Height);
        var stamps = new List<PackStamp>();
        var items = new List<PackItemPages>(plan.Items.Count);
        var page = 0;
        while (page < frontPages)
        {
            page++;
            if (watermarked) stamps.Add(new PackStamp(page, a4, null));
        }
        var document = 0;
        foreach (var item in plan.Items)
        {
            var divider = ++page;
            if (watermarked) stamps.Add(new PackStamp(divider, a4, null));
            var inItem = 0;
            foreach (var _ in item.Documents)
                foreach (var size in sizes[document++])
                    stamps.Add(new PackStamp(++page, size, Label(item.Number, ++inItem)));
            items.Add(new PackItemPages(item.Number, divider, divider + 1, page));
        }
        return (new PackLayout(page, frontPages, items), stamps);
    }

    /// <summary>
    /// <c>front.pdf --static-id --pages . 1-k . d1 doc… . d2 doc… -- [--overlay stamps.pdf --to=… --from=1-n --] out</c>:
    /// page selection and overlay in one run (qpdf applies the overlay to the pages as selected). The static /ID is
    /// replaced afterwards (<see cref="PackFileId"/>).
    /// </summary>
    private static List<string> QpdfArguments(PackPlan plan, int frontPages, string front, IReadOnlyList<PackStamp> stamps,
        string stampsPdf, string output)
    {
        var arguments = new List<string> { front, "--static-id", "--pages", ".", "1-" + Number(frontPages) };
        for (var i = 0; i < plan.Items.Count; i++)
        {
            arguments.Add(".");
            arguments.Add(Number(frontPages + i + 1));
            // Full paths: a relative name could look like a page range or an option to qpdf.
            arguments.AddRange(plan.Items[i].Documents.Select(d => Path.GetFullPath(d.PdfPath)));
        }
        arguments.Add("--");
        if (stamps.Count > 0)
            arguments.AddRange(["--overlay", stampsPdf, "--to=" + Ranges(stamps.Select(s => s.Page)), "--from=1-" + Number(stamps.Count), "--"]);
        arguments.Add(output);
        return arguments;
    }

    /// <summary>Ascending page numbers as a qpdf page range: 3,4,5,7 → "3-5,7".</summary>
    private static string Ranges(IEnumerable<int> pages)
    {
        var ranges = new List<string>();
        int? start = null, end = null;
        foreach (var page in pages)
        {
            if (end == page - 1) { end = page; continue; }
            if (start is { } s) ranges.Add(s == end ? Number(s) : $"{Number(s)}-{Number(end!.Value)}");
            start = end = page;
        }
        if (start is { } last) ranges.Add(last == end ? Number(last) : $"{Number(last)}-{Number(end!.Value)}");
        return string.Join(',', ranges);
    }

    private static string Label(int item, int page) => $"{Number(item)}.{Number(page)}";

    private static string Number(int n) => n.ToString(CultureInfo.InvariantCulture);

    private static void Check(PackPlan plan)
    {
        ArgumentNullException.ThrowIfNull(plan);
        var numbers = new HashSet<int>();
        foreach (var item in plan.Items)
        {
            if (item.Number < 1) throw new ArgumentException($"Agenda item \"{item.Title}\" has number {item.Number}; numbers start at 1.", nameof(plan));
            // Page labels are "number.page": two items with one number would give two pages the same label.
            if (!numbers.Add(item.Number)) throw new ArgumentException($"Two agenda items have number {item.Number}.", nameof(plan));
            foreach (var document in item.Documents)
                if (document.Pages < 1)
                    throw new ArgumentException($"Document \"{document.Label}\" of item {item.Number} has {document.Pages} pages.", nameof(plan));
        }
    }
}
