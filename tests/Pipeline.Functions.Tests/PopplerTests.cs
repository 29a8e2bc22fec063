using System.Buffers.Binary;
using Pipeline.Functions.Digitise;
using Pipeline.Testing;

namespace Pipeline.Functions.Tests;

public sealed class PopplerTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("pipeline-poppler-").FullName;

    public void Dispose() => PipelineApp.DeleteDirectory(_dir);

    private static string Official(string doc) => Path.Combine(RepoPaths.SharedCorpus, "vn-official", doc, "scan.pdf");
    private static string Resource(string name) => Path.Combine(RepoPaths.SharedCorpus, "ocrmypdf-resources", name);

    [CorpusFact]
    public async Task A_scanned_official_document_has_its_pages_at_the_scanner_resolution_and_no_text_layer()
    {
        var info = await Poppler.InfoAsync(Official("doc000"));
        var dpi = await Poppler.NativeDpiAsync(Official("doc000"));

        Assert.Equal(new PdfInfo(2, Encrypted: false), info);
        Assert.Equal(200, dpi[1]);
        Assert.Equal(200, dpi[2]);
        Assert.Equal("", await Poppler.PageTextAsync(Official("doc000"), 1));
    }

    [CorpusFact]
    public async Task Pages_scanned_at_different_resolutions_each_keep_their_own()
    {
        var dpi = await Poppler.NativeDpiAsync(Resource("multipage.pdf"));

        Assert.Equal(150, dpi[1]);
        Assert.Equal(300, dpi[2]);
        Assert.Equal(96, dpi[3]);
    }

    [CorpusFact]
    public async Task A_page_that_already_has_text_is_recognised_as_such()
        => Assert.NotEqual("", await Poppler.PageTextAsync(Resource("graph_ocred.pdf"), 1));

    [CorpusFact]
    public async Task A_damaged_pdf_gets_a_message_a_clerk_can_act_on()
    {
        var error = await Assert.ThrowsAsync<UnreadablePdfException>(() => Poppler.InfoAsync(Resource("invalid.pdf")));

        Assert.False(error.Encrypted);
        Assert.Contains("damaged", error.Message);
    }

    [CorpusFact]
    public async Task A_page_rendered_at_its_native_resolution_has_the_scanner_pixel_size()
    {
        var png = await Poppler.RenderPageAsync(Official("doc000"), 1, 200, _dir);

        var header = new byte[24];
        await using (var file = File.OpenRead(png)) await file.ReadExactlyAsync(header);
        Assert.Equal(1654, BinaryPrimitives.ReadInt32BigEndian(header.AsSpan(16)));
        Assert.Equal(2338, BinaryPrimitives.ReadInt32BigEndian(header.AsSpan(20)));
    }
}
