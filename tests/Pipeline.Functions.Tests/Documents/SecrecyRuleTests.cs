using Pipeline.Functions.Digitise;
using Pipeline.Functions.Documents;

namespace Pipeline.Functions.Tests.Documents;

/// <summary>Secret documents are read only by engines on this machine, whatever is preferred.</summary>
public sealed class SecrecyRuleTests
{
    // The shape of a cloud OCR service (Document Intelligence): not local. It must never be called for a secret document.
    private sealed class CloudOcr : IOcrEngine
    {
        public string Name => "document-intelligence";
        public bool IsLocal => false;
        public Task<OcrPage> RecognizeAsync(OcrRequest request, CancellationToken ct = default) => throw new InvalidOperationException("a page was sent to the cloud");
    }

    private static readonly IOcrEngine Cloud = new CloudOcr();
    private static readonly IOcrEngine Tesseract = new TesseractOcrEngine();

    [Theory]
    [InlineData(SecrecyLevel.Mat)]
    [InlineData(SecrecyLevel.ToiMat)]
    [InlineData(SecrecyLevel.TuyetMat)]
    public void A_secret_document_goes_to_the_local_engine_even_when_the_cloud_is_preferred(SecrecyLevel level)
        => Assert.Same(Tesseract, new OcrEngineSelection([Cloud, Tesseract], preferred: Cloud.Name).For(level));

    [Fact]
    public void A_document_that_is_not_secret_may_use_the_preferred_cloud_engine()
        => Assert.Same(Cloud, new OcrEngineSelection([Tesseract, Cloud], preferred: Cloud.Name).For(SecrecyLevel.None));

    [Fact]
    public void A_secret_document_with_only_a_cloud_engine_is_not_read_at_all()
    {
        var error = Assert.Throws<SecretDocumentPolicyException>(() => new OcrEngineSelection([Cloud]).For(SecrecyLevel.Mat));
        Assert.Contains("never sent to a cloud service", error.Message);
    }

    [Theory]
    [InlineData("none", SecrecyLevel.None)]
    [InlineData("", SecrecyLevel.None)]
    [InlineData("MAT", SecrecyLevel.Mat)]
    [InlineData("toi-mat", SecrecyLevel.ToiMat)]
    [InlineData("tuyet-mat", SecrecyLevel.TuyetMat)]
    public void Secrecy_levels_are_read_by_their_API_names(string name, SecrecyLevel expected)
    {
        Assert.True(SecrecyLevels.TryParse(name, out var level));
        Assert.Equal(expected, level);
    }

    [Fact]
    public void An_unknown_secrecy_name_is_not_taken_as_none()
        => Assert.False(SecrecyLevels.TryParse("secret", out _));
}
