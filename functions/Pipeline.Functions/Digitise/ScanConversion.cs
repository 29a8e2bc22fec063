using System.Globalization;
using System.Text.Json;

namespace Pipeline.Functions.Digitise;

/// <summary>
/// Turns an image original (JPEG, PNG, multi-page TIFF) into a PDF that embeds the image data unchanged, one page per
/// image frame, so the rest of digitising deals with PDFs only. img2pdf from Debian does the embedding: it copies
/// JPEG, CCITT and PNG data into the PDF without decoding and re-encoding it, so nothing the scanner recorded is lost.
/// </summary>
public static class ScanConversion
{
    /// <summary>
    /// The resolution assumed for an image that does not say: document scanners are set to 200–300 dpi (Decree 30
    /// asks ≥ 200), and 300 gives an A4 page for a typical A4 scan, where img2pdf's own 96 dpi would give a page a
    /// metre wide.
    /// </summary>
    public const int AssumedDpi = 300;

    /// <summary>A stated resolution below this is a software default (72, 96), not a measurement: no scanner scans documents that coarse.</summary>
    private const double MinPlausibleDpi = 100;

    /// <summary>Frames up to this size are fully decoded once to prove the file is intact; larger ones are not, to bound memory.</summary>
    private const long MaxVerifiedPixels = 100_000_000;

    // Reads what img2pdf will need to know, and decodes each frame to catch truncated or corrupt files before they
    // become a PDF that fails later. Prints one JSON object.
    private const string ProbeScript = """
        import sys, json
        from PIL import Image, ImageSequence
        Image.MAX_IMAGE_PIXELS = None
        try:
            im = Image.open(sys.argv[1])
            frames = []
            for f in ImageSequence.Iterator(im):
                if f.size[0] * f.size[1] <= int(sys.argv[2]):
                    f.load()
                dpi = f.info.get('dpi')
                frames.append({'mode': f.mode, 'width': f.size[0], 'height': f.size[1],
                               'dpi': min(float(dpi[0]), float(dpi[1])) if dpi else None})
            print(json.dumps({'format': im.format, 'frames': frames}))
        except Exception as e:
            print(json.dumps({'error': type(e).__name__ + ': ' + str(e)}))
        """;

    // For the images img2pdf refuses: each frame to a lossless PNG at the given dpi, transparency laid on white (as a
    // viewer shows it on paper), modes PDF has no place for (16-bit, float) to 8-bit.
    private const string FlattenScript = """
        import sys
        from PIL import Image, ImageSequence
        Image.MAX_IMAGE_PIXELS = None
        src, prefix, dpi = sys.argv[1], sys.argv[2], float(sys.argv[3])
        for i, f in enumerate(ImageSequence.Iterator(Image.open(src))):
            f = f.copy()
            if f.mode in ('P', 'PA') :
                f = f.convert('RGBA')
            if f.mode in ('RGBA', 'LA', 'RGBa', 'La'):
                f = f.convert('RGBA')
                flat = Image.new('RGB', f.size, (255, 255, 255))
                flat.paste(f, mask=f.getchannel('A'))
                f = flat
            elif f.mode not in ('1', 'L', 'RGB'):
                f = f.convert('L' if f.mode.startswith('I') or f.mode == 'F' else 'RGB')
            f.save('%s-%04d.png' % (prefix, i), dpi=(dpi, dpi))
            print('%s-%04d.png' % (prefix, i))
        """;

    /// <summary>
    /// Writes <paramref name="outputPdf"/>: one page per image (per frame of a multi-page TIFF), each page the size of
    /// its image at the image's stated resolution (<see cref="AssumedDpi"/> when it states none or an implausible one),
    /// the image data copied in unchanged. An image img2pdf cannot embed as is (some transparency and bit-depth
    /// combinations) is first converted losslessly to PNG, transparency laid on white.
    /// </summary>
    /// <exception cref="UnreadableImageException">The file is damaged or not an image.</exception>
    public static async Task ImageToPdfAsync(string imagePath, string outputPdf, CancellationToken ct = default)
    {
        var python = Python();
        var probe = await ExternalTool.RunAsync(python,
            ["-c", ProbeScript, imagePath, MaxVerifiedPixels.ToString(CultureInfo.InvariantCulture)], ct);
        using var json = JsonDocument.Parse(probe.ExitCode == 0 && probe.Output.TrimStart().StartsWith('{')
            ? probe.Output : """{"error":"the image probe did not run"}""");
        if (json.RootElement.TryGetProperty("error", out var error))
            throw new UnreadableImageException(
                "The image file is damaged or is not a JPEG, PNG or TIFF image. Scan the document again and upload the new file.",
                error.GetString());
        var frames = json.RootElement.GetProperty("frames").EnumerateArray().ToList();
        if (frames.Count == 0)
            throw new UnreadableImageException("The image file holds no picture. Scan the document again and upload the new file.", null);

        var statedDpi = frames.All(f => f.GetProperty("dpi").ValueKind == JsonValueKind.Number
                                        && f.GetProperty("dpi").GetDouble() >= MinPlausibleDpi);
        var output = Path.GetFullPath(outputPdf);
        var directory = Path.GetDirectoryName(output)!;
        var partial = Path.Combine(directory, $".img2pdf-{Guid.NewGuid():N}.pdf");
        var flattened = new List<string>();
        try
        {
            // --pillow-limit-break: the size limit is the lead's decision, made on the PDF's analysis (largest image
            // pixels), not Pillow's silent default; img2pdf itself does not decode JPEG or PNG data.
            List<string> sizeArguments = statedDpi ? [] : ["-s", $"{AssumedDpi}dpix{AssumedDpi}dpi"];
            var direct = await ExternalTool.RunAsync("img2pdf",
                ["--pillow-limit-break", "-o", partial, .. sizeArguments, "--", imagePath], ct);
            if (direct.ExitCode != 0 || !File.Exists(partial))
            {
                var dpi = statedDpi ? frames.Min(f => f.GetProperty("dpi").GetDouble()) : AssumedDpi;
                var flatten = await ExternalTool.RunAsync(python,
                    ["-c", FlattenScript, imagePath, Path.Combine(directory, $".flat-{Guid.NewGuid():N}"),
                     dpi.ToString(CultureInfo.InvariantCulture)], ct);
                flattened.AddRange(flatten.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
                if (flatten.ExitCode != 0 || flattened.Count == 0)
                    throw new UnreadableImageException(
                        "The image cannot be converted to PDF. Save it as JPEG or PNG and upload it again.",
                        direct.Errors.Trim() + " " + flatten.Errors.Trim());
                var retry = await ExternalTool.RunAsync("img2pdf", ["--pillow-limit-break", "-o", partial, "--", .. flattened], ct);
                if (retry.ExitCode != 0 || !File.Exists(partial))
                    throw new UnreadableImageException(
                        "The image cannot be converted to PDF. Save it as JPEG or PNG and upload it again.", retry.Errors.Trim());
            }
            File.Move(partial, output, overwrite: true);
        }
        finally
        {
            File.Delete(partial);
            foreach (var file in flattened) File.Delete(file);
        }
    }

    // img2pdf and Pillow are Debian packages for Debian's python3; a python3 earlier on PATH (pyenv, a venv) lacks them.
    private static string Python() => File.Exists("/usr/bin/python3") ? "/usr/bin/python3" : "python3";
}

/// <summary>An image original that cannot be read or converted; the message says what the clerk can do.</summary>
public sealed class UnreadableImageException(string message, string? detail) : Exception(message)
{
    /// <summary>What the tools reported, for the log; not for the clerk.</summary>
    public string? Detail { get; } = detail;
}
