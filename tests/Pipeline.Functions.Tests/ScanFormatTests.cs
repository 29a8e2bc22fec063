using Pipeline.Functions.Intake;
using Pipeline.Testing;

namespace Pipeline.Functions.Tests;

public sealed class ScanFormatTests
{
    private static string Resource(string name) => RepoPaths.CorpusPath("ocrmypdf-resources", name);

    [CorpusTheory]
    [InlineData("multipage.pdf", ScanFormat.Pdf)]
    [InlineData("baiona_color.jpg", ScanFormat.Jpeg)]
    [InlineData("baiona_gray.png", ScanFormat.Png)]
    [InlineData("linn.txt", ScanFormat.Unknown)]
    public void Real_files_are_recognised_by_their_bytes(string file, ScanFormat expected)
    {
        var header = File.ReadAllBytes(Resource(file)).AsSpan(0, Math.Min(ScanFormats.HeaderLength, (int)new FileInfo(Resource(file)).Length));
        Assert.Equal(expected, ScanFormats.Detect(header));
    }

    [Fact]
    public void A_renamed_file_is_judged_by_its_content_not_its_name()
    {
        Assert.Equal(ScanFormat.Tiff, ScanFormats.Detect("II*\0\x08\0\0\0"u8));
        Assert.Equal(ScanFormat.Tiff, ScanFormats.Detect("MM\0*\0\0\0\x08"u8));
        Assert.Equal(ScanFormat.Unknown, ScanFormats.Detect("%PD"u8));
        Assert.Equal(ScanFormat.Unknown, ScanFormats.Detect([]));
    }

    [Fact]
    public void A_pdf_with_junk_before_its_header_is_still_a_pdf()
        => Assert.Equal(ScanFormat.Pdf, ScanFormats.Detect("\r\n\xEF\xBB\xBF%PDF-1.7\n"u8));
}
