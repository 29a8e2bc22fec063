using System.Security.Cryptography;
using Pipeline.Functions.Links;

namespace Pipeline.Functions.Tests.Links;

/// <summary>Where the link key comes from, and that it survives restarts.</summary>
public sealed class LinkKeyTests : IDisposable
{
    private static readonly DateTimeOffset Expiry = new(2026, 3, 2, 17, 0, 0, TimeSpan.FromHours(7));
    private readonly DirectoryInfo _data = Directory.CreateTempSubdirectory("approval-key-");

    private string KeyPath => Path.Combine(_data.FullName, "approval.key");

    public void Dispose() => _data.Delete(recursive: true);

    private static string Sign(LinkKey key) =>
        new SignedLinks(key).Issue(new LinkClaims("ap-1", 0, "a@x.vn", "t-1", Expiry));

    private static LinkCheckResult Check(LinkKey key, string token) => new SignedLinks(key).Verify(token, Expiry.AddHours(-1)).Result;

    [Fact]
    public void First_use_creates_an_owner_only_key_file_that_later_starts_reuse()
    {
        var first = LinkKey.LoadOrCreate(null, KeyPath);
        var token = Sign(first);
        var written = File.ReadAllText(KeyPath);

        var second = LinkKey.LoadOrCreate(null, KeyPath);

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(KeyPath));
        Assert.Matches("^[A-Za-z0-9_-]{43}$", written); // 32 random bytes, base64url
        Assert.Equal(written, File.ReadAllText(KeyPath));
        Assert.Equal(LinkCheckResult.Valid, Check(second, token));
        Assert.Equal(KeyPath, second.Source);
        Assert.DoesNotContain(written, second.ToString());
    }

    [Fact]
    public void Configured_key_wins_and_no_file_is_created()
    {
        var configured = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
        var fromFile = LinkKey.LoadOrCreate(null, Path.Combine(_data.FullName, "other.key"));

        var first = LinkKey.LoadOrCreate(configured, KeyPath);
        var second = LinkKey.LoadOrCreate(configured, KeyPath);

        Assert.False(File.Exists(KeyPath));
        Assert.Equal("configuration", first.Source);
        Assert.Equal(LinkCheckResult.Valid, Check(second, Sign(first)));
        Assert.Equal(LinkCheckResult.Tampered, Check(first, Sign(fromFile)));
    }

    [Fact]
    public void Configured_key_may_be_base64url()
    {
        var bytes = RandomNumberGenerator.GetBytes(32);
        var standard = LinkKey.LoadOrCreate(Convert.ToBase64String(bytes), KeyPath);
        var urlSafe = LinkKey.LoadOrCreate(System.Buffers.Text.Base64Url.EncodeToString(bytes), KeyPath);

        Assert.Equal(LinkCheckResult.Valid, Check(urlSafe, Sign(standard)));
    }

    [Theory]
    [InlineData("not base64 at all!")]
    [InlineData("c2hvcnQ=")] // "short": 5 bytes
    public void Unusable_configured_key_is_refused(string configured)
    {
        var error = Assert.Throws<FormatException>(() => LinkKey.LoadOrCreate(configured, KeyPath));

        Assert.Contains("at least 32 bytes", error.Message);
        Assert.DoesNotContain(configured, error.Message);
        Assert.False(File.Exists(KeyPath));
    }

    [Fact]
    public void A_corrupt_key_file_is_reported_not_replaced()
    {
        File.WriteAllText(KeyPath, "this is not a key");

        var error = Assert.Throws<InvalidDataException>(() => LinkKey.LoadOrCreate(null, KeyPath));

        Assert.Contains(KeyPath, error.Message);
        Assert.Equal("this is not a key", File.ReadAllText(KeyPath));
    }

    [Fact]
    public void Processes_starting_together_end_up_with_one_key()
    {
        var keys = Enumerable.Range(0, 8).AsParallel().Select(_ => LinkKey.LoadOrCreate(null, KeyPath)).ToList();

        var token = Sign(keys[0]);
        Assert.All(keys, key => Assert.Equal(LinkCheckResult.Valid, Check(key, token)));
    }
}
