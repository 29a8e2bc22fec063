using Pipeline.Functions.Digitise;
using Pipeline.Testing;

namespace Pipeline.Functions.Tests;

public sealed class ScanConversionTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("pipeline-scan-").FullName;

    public void Dispose() => PipelineApp.DeleteDirectory(_dir);

    private static string Resource(string name) => RepoPaths.CorpusPath("ocrmypdf-resources", name);

    [CorpusTheory]
    [InlineData("baiona_color.jpg", "rgb", "jpeg")]
    [InlineData("baiona_cmyk.jpg", "cmyk", "jpeg")]
    [InlineData("baiona.png", "rgb", "image")]
    [InlineData("baiona_gray.png", "gray", "image")]
    [InlineData("baiona_colormapped.png", "index", "image")]
    [InlineData("baiona_alpha.png", "rgb", "image")]
    public async Task An_image_original_becomes_a_one_page_pdf_with_the_same_pixels(string image, string colour, string encoding)
    {
        var pdf = Path.Combine(_dir, "scan.pdf");

        await ScanConversion.ImageToPdfAsync(Resource(image), pdf);

        var analysis = await Poppler.AnalyseAsync(pdf);
        var page = Assert.Single(analysis.PageInfo);
        Assert.Equal(640L * 682, page.LargestImagePixels);
        var first = (await ImageRowsAsync(pdf))[0];
        Assert.Equal(("640", "682", colour, encoding), (first[3], first[4], first[5], first[8]));
        Assert.Empty(Directory.GetFiles(_dir, ".*"));
    }

    [CorpusFact]
    public async Task A_jpeg_is_embedded_byte_for_byte()
    {
        var pdf = Path.Combine(_dir, "scan.pdf");

        await ScanConversion.ImageToPdfAsync(Resource("baiona_color.jpg"), pdf);

        var result = await ExternalTool.RunAsync("pdfimages", ["-all", pdf, Path.Combine(_dir, "i")]);
        Assert.Equal(0, result.ExitCode);
        Assert.Equal(await File.ReadAllBytesAsync(Resource("baiona_color.jpg")), await File.ReadAllBytesAsync(Path.Combine(_dir, "i-000.jpg")));
    }

    [CorpusFact]
    public async Task The_page_size_comes_from_the_image_resolution_or_300_dpi_when_it_states_none()
    {
        var stated = Path.Combine(_dir, "stated.pdf");
        var unstated = Path.Combine(_dir, "unstated.pdf");

        await ScanConversion.ImageToPdfAsync(Resource("baiona_cmyk.jpg"), stated); // says 200 dpi
        await ScanConversion.ImageToPdfAsync(Resource("linn.png"), unstated);      // 2550 × 3300, says nothing

        var s = (await Poppler.AnalyseAsync(stated)).PageInfo[0];
        var u = (await Poppler.AnalyseAsync(unstated)).PageInfo[0];
        Assert.Equal((640 * 72 / 200.0, 682 * 72 / 200.0, 200), (s.WidthPt, s.HeightPt, s.NativeDpi));
        Assert.Equal((612.0, 792.0, 300), (u.WidthPt, u.HeightPt, u.NativeDpi)); // US letter, as scanned
    }

    [CorpusFact]
    public async Task A_multi_page_tiff_becomes_one_page_per_frame()
    {
        var tiff = Path.Combine(_dir, "two-pages.tiff");
        var made = await ExternalTool.RunAsync("/usr/bin/python3", ["-c", """
            import sys
            from PIL import Image
            a = Image.open(sys.argv[1]).convert('L'); b = a.rotate(180)
            a.save(sys.argv[2], save_all=True, append_images=[b], compression='tiff_lzw', dpi=(200, 200))
            """, Resource("baiona_gray.png"), tiff]);
        Assert.True(made.ExitCode == 0, made.Errors);
        var pdf = Path.Combine(_dir, "scan.pdf");

        await ScanConversion.ImageToPdfAsync(tiff, pdf);

        var analysis = await Poppler.AnalyseAsync(pdf);
        Assert.Equal(2, analysis.Pages);
        Assert.All(analysis.PageInfo, p => Assert.Equal((200, 640L * 682), (p.NativeDpi, p.LargestImagePixels)));
    }

    [Theory]
    [InlineData("truncated.jpg")]
    [InlineData("garbage.png")]
    public async Task A_damaged_image_gets_a_message_a_clerk_can_act_on(string name)
    {
        var image = Path.Combine(_dir, name);
        if (name == "garbage.png") await File.WriteAllTextAsync(image, "this is not a picture");
        else
        {
            // A JPEG cut off part-way, as an interrupted upload leaves it.
            var jpeg = await ExternalTool.RunAsync("/usr/bin/python3", ["-c", """
                import sys, io
                from PIL import Image
                buf = io.BytesIO(); Image.new('L', (400, 400), 128).save(buf, 'JPEG')
                data = buf.getvalue(); open(sys.argv[1], 'wb').write(data[:len(data) // 2])
                """, image]);
            Assert.True(jpeg.ExitCode == 0, jpeg.Errors);
        }
        var pdf = Path.Combine(_dir, "scan.pdf");

        var error = await Assert.ThrowsAsync<UnreadableImageException>(() => ScanConversion.ImageToPdfAsync(image, pdf));

        Assert.Contains("damaged", error.Message);
        Assert.False(File.Exists(pdf));
    }

    private static async Task<List<string[]>> ImageRowsAsync(string pdf)
        => (await ExternalTool.RunAsync("pdfimages", ["-list", pdf])).Output.Split('\n').Skip(2)
            .Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries)).Where(f => f.Length >= 14).ToList();
}
