using System.Security.Cryptography;
using Pipeline.Functions.Storage;
using Pipeline.Testing;

namespace Pipeline.Functions.Tests;

public sealed class LocalFileBlobStoreTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("pipeline-blobs-").FullName;

    public void Dispose() => PipelineApp.DeleteDirectory(_root);

    private static string CorpusScan => RepoPaths.CorpusPath("vn-official", "doc000", "scan.pdf");

    [Fact]
    public async Task A_scan_is_stored_under_its_sha256_and_reads_back_byte_for_byte()
    {
        var original = File.Exists(CorpusScan) ? await File.ReadAllBytesAsync(CorpusScan) : RandomNumberGenerator.GetBytes(300_000);
        var store = new LocalFileBlobStore(_root);

        var stored = await store.PutAsync(new MemoryStream(original), maxBytes: 100_000_000);

        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(original)), stored.Sha256);
        Assert.Equal(original.Length, stored.SizeBytes);
        Assert.False(stored.AlreadyStored);
        await using var read = await store.OpenReadAsync(stored.Sha256);
        Assert.NotNull(read);
        var copy = new MemoryStream();
        await read.CopyToAsync(copy);
        Assert.Equal(original, copy.ToArray());
    }

    [Fact]
    public async Task The_same_bytes_uploaded_twice_are_stored_once()
    {
        var bytes = RandomNumberGenerator.GetBytes(50_000);
        var store = new LocalFileBlobStore(_root);

        var first = await store.PutAsync(new MemoryStream(bytes), 1_000_000);
        var second = await store.PutAsync(new MemoryStream(bytes), 1_000_000);

        Assert.Equal(first.Sha256, second.Sha256);
        Assert.True(second.AlreadyStored);
        Assert.Single(Directory.GetFiles(_root, first.Sha256, SearchOption.AllDirectories));
        Assert.Empty(Directory.GetFiles(Path.Combine(_root, "incoming")));
    }

    [Fact]
    public async Task A_stored_original_cannot_be_written_to()
    {
        var store = new LocalFileBlobStore(_root);
        var stored = await store.PutAsync(new MemoryStream(RandomNumberGenerator.GetBytes(1000)), 1_000_000);

        var path = Directory.GetFiles(_root, stored.Sha256, SearchOption.AllDirectories).Single();
        Assert.Equal(UnixFileMode.None, File.GetUnixFileMode(path) & (UnixFileMode.UserWrite | UnixFileMode.GroupWrite | UnixFileMode.OtherWrite));
    }

    [Fact]
    public async Task Content_over_the_limit_is_refused_and_nothing_is_stored()
    {
        var store = new LocalFileBlobStore(_root);

        var error = await Assert.ThrowsAsync<BlobTooLargeException>(() => store.PutAsync(new MemoryStream(new byte[10_001]), maxBytes: 10_000));

        Assert.Contains("larger than", error.Message);
        Assert.Empty(Directory.GetFiles(_root, "*", SearchOption.AllDirectories));
    }

    [Theory]
    [InlineData("../admin.key")]
    [InlineData("ABCDEF")]
    [InlineData("0000000000000000000000000000000000000000000000000000000000000000")]
    public async Task Names_that_are_not_stored_addresses_read_as_missing(string name)
    {
        var store = new LocalFileBlobStore(_root);

        Assert.Null(await store.OpenReadAsync(name));
        Assert.False(await store.ExistsAsync(name));
    }
}
