using System.Globalization;
using System.Text;

namespace Pipeline.Functions.Digitise;

/// <summary>
/// Builds the searchable archive copy of a scan: the original PDF with each OCR'd page's invisible text laid over
/// it (qpdf, which copies the page images untouched), then made PDF/A-2b (ghostscript) for long-term preservation
/// as Decree 30 and TCVN 14159-1 expect. When ghostscript cannot make a faithful PDF/A, the qpdf copy is kept:
/// searchable and with the original images, just not PDF/A.
/// </summary>
public static class ArchivePdf
{
    /// <summary>
    /// Writes <paramref name="outputPdf"/>: <paramref name="basePdf"/> with <paramref name="textLayers"/>[i] (a
    /// one-page text-only PDF, as <see cref="IOcrEngine"/> writes it) laid over page i + 1, pages whose entry is null
    /// left as they are. The page images keep their bytes (JPEG data verbatim; ghostscript 10.0 appends a redundant
    /// end-of-image marker, bug 708557; JBIG2 becomes lossless CCITT). Scratch files go to <paramref name="workDirectory"/>.
    /// </summary>
    /// <returns>Whether the output is PDF/A-2b; false when ghostscript failed, lost pages, or would have changed an image.</returns>
    /// <exception cref="ArgumentException">There is not exactly one text-layer entry per page.</exception>
    /// <exception cref="InvalidOperationException">qpdf could not combine the original and the text.</exception>
    public static async Task<ArchivePdfResult> BuildAsync(string basePdf, IReadOnlyList<string?> textLayers, string outputPdf,
        string workDirectory, CancellationToken ct = default)
    {
        Directory.CreateDirectory(workDirectory);
        var pages = await PageCountAsync(basePdf, ct)
            ?? throw new InvalidOperationException($"qpdf cannot read {basePdf}.");
        if (textLayers.Count != pages)
            throw new ArgumentException($"The PDF has {pages} pages but {textLayers.Count} text layers were given.", nameof(textLayers));

        var searchable = Path.Combine(workDirectory, "archive-text.pdf");
        await OverlayTextAsync(basePdf, textLayers, searchable, workDirectory, ct);

        var pdfa = Path.Combine(workDirectory, "archive-pdfa.pdf");
        var isPdfA = await ConvertToPdfAAsync(searchable, pdfa, workDirectory, ct)
                     && await PageCountAsync(pdfa, ct) == pages
                     && await ImagesKeptAsync(searchable, pdfa, ct);
        File.Copy(isPdfA ? pdfa : searchable, outputPdf, overwrite: true);
        return new ArchivePdfResult(isPdfA);
    }

    private static async Task OverlayTextAsync(string basePdf, IReadOnlyList<string?> textLayers, string output,
        string workDirectory, CancellationToken ct)
    {
        var layered = Enumerable.Range(1, textLayers.Count).Where(n => textLayers[n - 1] is not null).ToList();
        // --decrypt: an owner-restricted original opens without a password, and PDF/A forbids encryption.
        if (layered.Count == 0)
        {
            await QpdfAsync([basePdf, "--decrypt", output], ct);
            return;
        }

        // One overlay file whose k-th page is the k-th layered page's text: qpdf then lays them on in one pass.
        var layers = Path.Combine(workDirectory, "archive-layers.pdf");
        await QpdfAsync(["--empty", "--pages", .. layered.Select(n => textLayers[n - 1]!), "--", layers], ct);
        await QpdfAsync([basePdf, "--decrypt", "--overlay", layers,
            "--to=" + string.Join(',', layered.Select(n => n.ToString(CultureInfo.InvariantCulture))),
            "--from=1-" + layered.Count.ToString(CultureInfo.InvariantCulture), "--", output], ct);
    }

    private static async Task QpdfAsync(string[] arguments, CancellationToken ct)
    {
        // Exit 3 is "succeeded with warnings" (a repaired xref, say): the output is complete.
        var result = await ExternalTool.RunAsync("qpdf", arguments, ct);
        if (result.ExitCode is not (0 or 3))
            throw new InvalidOperationException($"qpdf could not add the text layer (exit code {result.ExitCode}): {result.Errors.Trim()}");
    }

    private static async Task<bool> ConvertToPdfAAsync(string input, string output, string workDirectory, CancellationToken ct)
    {
        var icc = SrgbProfile();
        if (icc is null) return false; // without an output intent the result would claim PDF/A falsely
        var definition = Path.Combine(workDirectory, "PDFA_def.ps");
        await File.WriteAllTextAsync(definition, PdfADefinition(icc), Encoding.ASCII, ct);

        var result = await ExternalTool.RunAsync("gs",
        [
            "-q", "-dBATCH", "-dNOPAUSE", "-dSAFER", "--permit-file-read=" + icc,
            "-dPDFA=2", "-dPDFACompatibilityPolicy=1", "-sColorConversionStrategy=RGB",
            // Keep the scanner's data: JPEG passed through; anything gs must re-encode goes lossless, full resolution.
            "-dPassThroughJPEGImages=true", "-dPassThroughJPXImages=true",
            "-dAutoFilterColorImages=false", "-dAutoFilterGrayImages=false",
            "-dColorImageFilter=/FlateEncode", "-dGrayImageFilter=/FlateEncode",
            "-dDownsampleColorImages=false", "-dDownsampleGrayImages=false", "-dDownsampleMonoImages=false",
            // gs reads '%' in an output name as a page-number template; doubled it is a literal '%'.
            "-sDEVICE=pdfwrite", "-o", output.Replace("%", "%%"), definition, input,
        ], ct);
        // gs quietly writes a plain PDF when it has to give PDF/A up; only its XMP claim tells the two apart.
        return result.ExitCode == 0 && File.Exists(output) && await ContainsAsync(output, "pdfaid:part", ct);
    }

    // The output intent PDF/A requires (gs adds none by itself): the sRGB profile, three components since colours are
    // converted to RGB. Written out instead of gs's sample PDFA_def.ps, which guesses /N and sets a dummy title.
    private static string PdfADefinition(string icc) => $$"""
        %!
        /ICCProfile ({{PostScriptString(icc)}}) def
        [/_objdef {icc_PDFA} /type /stream /OBJ pdfmark
        [{icc_PDFA} << /N 3 >> /PUT pdfmark
        [{icc_PDFA} ICCProfile (r) file /PUT pdfmark
        [/_objdef {OutputIntent_PDFA} /type /dict /OBJ pdfmark
        [{OutputIntent_PDFA} <<
          /Type /OutputIntent
          /S /GTS_PDFA1
          /DestOutputProfile {icc_PDFA}
          /OutputConditionIdentifier (sRGB)
          /Info (sRGB IEC61966-2.1)
        >> /PUT pdfmark
        [{Catalog} << /OutputIntents [ {OutputIntent_PDFA} ] >> /PUT pdfmark
        """;

    private static string PostScriptString(string s) => s.Replace(@"\", @"\\").Replace("(", @"\(").Replace(")", @"\)");

    /// <summary>An sRGB ICC profile from the installed ghostscript (whatever its version) or Debian's colour profiles.</summary>
    private static string? SrgbProfile()
    {
        var candidates = new List<string>();
        foreach (var root in new[] { "/usr/share/ghostscript", "/usr/local/share/ghostscript" })
        {
            if (!Directory.Exists(root)) continue;
            foreach (var version in Directory.GetDirectories(root).OrderDescending(StringComparer.Ordinal))
            {
                candidates.Add(Path.Combine(version, "iccprofiles", "srgb.icc"));
                candidates.Add(Path.Combine(version, "iccprofiles", "default_rgb.icc"));
            }
        }
        candidates.Add("/usr/share/color/icc/sRGB.icc");
        candidates.Add("/usr/share/color/icc/ghostscript/srgb.icc");
        return candidates.FirstOrDefault(File.Exists);
    }

    private static async Task<int?> PageCountAsync(string pdf, CancellationToken ct)
    {
        var result = await ExternalTool.RunAsync("qpdf", ["--show-npages", pdf], ct);
        return result.ExitCode is 0 or 3 && int.TryParse(result.Output.Trim(), CultureInfo.InvariantCulture, out var n) ? n : null;
    }

    /// <summary>
    /// True when every image gs wrote has the size, depth and colour of the one it came from, and every JPEG or
    /// JPEG 2000 stayed one: i.e. gs neither converted a colour scan (CMYK, ICC-tagged) nor re-encoded it.
    /// 1-bit JBIG2 turning into CCITT is accepted: both are lossless for bilevel images.
    /// </summary>
    private static async Task<bool> ImagesKeptAsync(string before, string after, CancellationToken ct)
    {
        var original = await ImageListAsync(before, ct);
        var converted = await ImageListAsync(after, ct);
        if (original is null || converted is null || original.Count != converted.Count) return false;
        for (var i = 0; i < original.Count; i++)
        {
            var (o, c) = (original[i], converted[i]);
            if (o.Page != c.Page || o.Width != c.Width || o.Height != c.Height || o.Bits != c.Bits || o.Color != c.Color) return false;
            if (o.Encoding is "jpeg" or "jpx" && c.Encoding != o.Encoding) return false;
        }
        return true;
    }

    private sealed record ImageRow(string Page, string Width, string Height, string Color, string Bits, string Encoding);

    private static async Task<List<ImageRow>?> ImageListAsync(string pdf, CancellationToken ct)
    {
        var result = await ExternalTool.RunAsync("pdfimages", ["-list", pdf], ct);
        if (result.ExitCode != 0) return null;
        var rows = new List<ImageRow>();
        foreach (var line in result.Output.Split('\n').Skip(2))
        {
            // page num type width height color comp bpc enc interp object ID x-ppi y-ppi size ratio
            var f = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (f.Length < 14) continue;
            rows.Add(new ImageRow(f[0], f[3], f[4], f[5], f[7], f[8]));
        }
        return rows;
    }

    private static async Task<bool> ContainsAsync(string file, string marker, CancellationToken ct)
    {
        // gs writes the XMP packet uncompressed; stream the file rather than load a large scan whole.
        var needle = Encoding.ASCII.GetBytes(marker);
        var buffer = new byte[1 << 16];
        var carry = 0;
        await using var stream = File.OpenRead(file);
        int read;
        while ((read = await stream.ReadAsync(buffer.AsMemory(carry, buffer.Length - carry), ct)) > 0)
        {
            var filled = carry + read;
            if (buffer.AsSpan(0, filled).IndexOf(needle) >= 0) return true;
            carry = Math.Min(needle.Length - 1, filled);
            buffer.AsSpan(filled - carry, carry).CopyTo(buffer);
        }
        return false;
    }
}

/// <summary>What <see cref="ArchivePdf.BuildAsync"/> produced.</summary>
/// <param name="PdfA">True when the archive copy is PDF/A-2b (with an sRGB output intent); false when it is the
/// searchable PDF without PDF/A conversion.</param>
public sealed record ArchivePdfResult(bool PdfA);
