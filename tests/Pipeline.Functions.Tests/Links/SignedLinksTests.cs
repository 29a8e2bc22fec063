using Pipeline.Functions.Links;

namespace Pipeline.Functions.Tests.Links;

/// <summary>Signed link tokens (approvals, meetings): what a link proves by itself.</summary>
public sealed class SignedLinksTests
{
    private static readonly DateTimeOffset Expiry = new(2026, 3, 2, 17, 0, 0, TimeSpan.FromHours(7));

    private static SignedLinks NewLinks() =>
        new(LinkKey.LoadOrCreate(Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32)), "unused"));

    private static LinkClaims Claims(string approver = "nguyen.van.a@hanoi.gov.vn", int step = 1) =>
        new(Guid.NewGuid().ToString(), step, approver, SignedLinks.NewTokenId(), Expiry);

    [Fact]
    public void Issued_token_verifies_with_the_same_claims()
    {
        var links = NewLinks();
        var claims = Claims();

        var token = links.Issue(claims);
        var check = links.Verify(token, Expiry.AddHours(-1));

        Assert.Equal(LinkCheckResult.Valid, check.Result);
        Assert.Equal(claims, check.Claims);
    }

    [Fact]
    public void Token_is_url_safe_and_short_enough_for_a_mail_line()
    {
        var token = NewLinks().Issue(Claims("le.thi.bich.ngoc.chanh.van.phong@ubnd.thanhpho.hochiminh.gov.vn"));

        Assert.Matches("^[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]{43}$", token);
        Assert.True(token.Length < 300, $"{token.Length} characters");
        Assert.Equal(token, Uri.EscapeDataString(token));
    }

    [Fact]
    public void Claims_come_back_exactly_as_bound()
    {
        var links = NewLinks();
        var claims = new LinkClaims("01JQ7Z-ap-42", 3, "Trần.Thị.Hoa@Bộ-Nội-vụ.vn", "tok-1", Expiry);

        var check = links.Verify(links.Issue(claims), Expiry.AddDays(-1));

        Assert.Equal(LinkCheckResult.Valid, check.Result);
        Assert.Equal("01JQ7Z-ap-42", check.Claims!.Subject);
        Assert.Equal(3, check.Claims.Step);
        Assert.Equal("Trần.Thị.Hoa@Bộ-Nội-vụ.vn", check.Claims.Recipient);
        Assert.Equal("tok-1", check.Claims.TokenId);
        Assert.Equal(Expiry, check.Claims.ExpiresAt);
    }

    [Fact]
    public void Any_changed_character_makes_the_token_tampered()
    {
        var links = NewLinks();
        var token = links.Issue(Claims());
        const string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

        for (var i = 0; i < token.Length; i++)
        {
            if (token[i] == '.') continue;
            // The next character of the alphabet, and the one differing only in the lowest bits (which the last
            // character of a base64 group may not use): both must be refused.
            var index = alphabet.IndexOf(token[i]);
            foreach (var replacement in new[] { alphabet[(index + 1) % 64], alphabet[index ^ 1] })
            {
                var changed = token[..i] + replacement + token[(i + 1)..];
                Assert.True(links.Verify(changed, Expiry.AddHours(-1)).Result == LinkCheckResult.Tampered, $"position {i}: {changed}");
            }
        }
    }

    [Fact]
    public void Token_signed_with_another_key_is_tampered()
    {
        var token = NewLinks().Issue(Claims());

        var check = NewLinks().Verify(token, Expiry.AddHours(-1));

        Assert.Equal(LinkCheckResult.Tampered, check.Result);
        Assert.Null(check.Claims);
    }

    [Fact]
    public void Token_expires_at_its_expiry()
    {
        var links = NewLinks();
        var claims = Claims();
        var token = links.Issue(claims);

        Assert.Equal(LinkCheckResult.Valid, links.Verify(token, Expiry.AddSeconds(-1)).Result);
        var expired = links.Verify(token, Expiry);
        Assert.Equal(LinkCheckResult.Expired, expired.Result);
        Assert.Equal(claims, expired.Claims);
        Assert.Equal(LinkCheckResult.Expired, links.Verify(token, Expiry.AddDays(30)).Result);
    }

    [Fact]
    public void Signature_is_checked_before_expiry()
    {
        var links = NewLinks();
        var token = links.Issue(Claims());
        var changed = (token[0] == 'A' ? 'B' : 'A') + token[1..];

        Assert.Equal(LinkCheckResult.Tampered, links.Verify(changed, Expiry.AddDays(1)).Result);
    }

    [Fact]
    public void Sub_second_expiry_is_rounded_up_never_down()
    {
        var links = NewLinks();
        var claims = Claims() with { ExpiresAt = Expiry.AddMilliseconds(300) };

        var check = links.Verify(links.Issue(claims), Expiry.AddMilliseconds(500));

        Assert.Equal(LinkCheckResult.Valid, check.Result);
        Assert.Equal(Expiry.AddSeconds(1), check.Claims!.ExpiresAt);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("garbage")]
    [InlineData("not a token")]
    [InlineData("abc.def")]
    [InlineData(".AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")]
    [InlineData("AQ.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA.x")]
    [InlineData("<script>alert(1)</script>")]
    public void Garbage_is_malformed(string? token)
    {
        var check = NewLinks().Verify(token, Expiry);

        Assert.Equal(LinkCheckResult.Malformed, check.Result);
        Assert.Null(check.Claims);
    }

    [Fact]
    public void Truncated_or_padded_tokens_are_malformed()
    {
        var links = NewLinks();
        var token = links.Issue(Claims());

        Assert.Equal(LinkCheckResult.Malformed, links.Verify(token[..^1], Expiry.AddHours(-1)).Result);
        Assert.Equal(LinkCheckResult.Malformed, links.Verify(token + "=", Expiry.AddHours(-1)).Result);
        Assert.Equal(LinkCheckResult.Malformed, links.Verify(token + new string('A', 5000), Expiry.AddHours(-1)).Result);
    }

    [Fact]
    public void Issue_refuses_claims_that_would_not_fit_in_a_link()
    {
        var links = NewLinks();

        var error = Assert.Throws<ArgumentException>(() => links.Issue(Claims(new string('a', 200) + "@x.vn")));
        Assert.Contains("over 299", error.Message);
        Assert.Throws<ArgumentException>(() => links.Issue(Claims() with { Recipient = "" }));
        Assert.Throws<ArgumentException>(() => links.Issue(Claims(step: -1)));
    }

    [Fact]
    public void Default_expiry_is_the_step_due_time_plus_grace()
    {
        Assert.Equal(Expiry.AddDays(1), SignedLinks.DefaultExpiry(Expiry, TimeSpan.FromDays(1)));
        Assert.Throws<ArgumentOutOfRangeException>(() => SignedLinks.DefaultExpiry(Expiry, TimeSpan.FromHours(-1)));
    }

    [Fact]
    public void New_token_ids_are_random_and_url_safe()
    {
        var ids = Enumerable.Range(0, 100).Select(_ => SignedLinks.NewTokenId()).ToList();

        Assert.Equal(100, ids.Distinct().Count());
        Assert.All(ids, id => Assert.Matches("^[A-Za-z0-9_-]{22}$", id));
    }
}
