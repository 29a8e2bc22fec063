using System.Text;
using System.Text.RegularExpressions;
using Pipeline.Functions.Web;
using Pipeline.Testing;

namespace Pipeline.Functions.Tests.Web;

/// <summary>
/// The app's wwwroot as <see cref="WebAssets"/> serves it — content types, ETags, caching and security headers — and
/// a lint of the files themselves: each one served with a known type, the build's copy complete, every address a page
/// names served, no inline script or style the policy would block.
/// </summary>
public sealed class WebAssetsTests
{
    private static readonly string Source = Path.Combine(RepoPaths.Root, "functions", "Pipeline.Functions", "wwwroot");
    private static readonly string BuildCopy = Path.Combine(Path.GetDirectoryName(PipelineApp.AppDllPath)!, "wwwroot");
    private readonly WebAssets _assets = new(Source);

    [Theory]
    [InlineData("/", "index.html", "text/html; charset=utf-8")]
    [InlineData("/secretary", "secretary.html", "text/html; charset=utf-8")]
    [InlineData("/secretary/", "secretary.html", "text/html; charset=utf-8")]
    [InlineData("/review/0123456789abcdef0123456789abcdef", "review.html", "text/html; charset=utf-8")]
    [InlineData("/review/0123456789abcdef0123456789abcdef/", "review.html", "text/html; charset=utf-8")]
    [InlineData("/common.js", "common.js", "text/javascript; charset=utf-8")]
    [InlineData("/documents.js", "documents.js", "text/javascript; charset=utf-8")]
    [InlineData("/common.css", "common.css", "text/css; charset=utf-8")]
    [InlineData("/review.css", "review.css", "text/css; charset=utf-8")]
    public void Each_page_and_file_is_served_with_its_type_an_etag_and_the_pages_policy(string path, string file, string contentType)
    {
        var response = _assets.Respond(path, ifNoneMatch: null);

        Assert.Equal(200, response.StatusCode);
        Assert.Equal(file, response.Asset?.Name);
        Assert.Equal(File.ReadAllBytes(Path.Combine(Source, file)), response.Body.ToArray());
        var headers = response.Headers.ToDictionary(h => h.Key, h => h.Value, StringComparer.OrdinalIgnoreCase);
        Assert.Equal(contentType, headers["Content-Type"]);
        Assert.Matches("^\"[0-9a-f]{16}\"$", headers["ETag"]);
        Assert.Equal("no-cache", headers["Cache-Control"]);
        AssertSecurityHeaders(headers);
    }

    [Fact]
    public void The_policy_lets_pages_run_only_their_own_files()
    {
        Assert.Equal(
            "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; connect-src 'self'; " +
            "object-src 'self' blob:; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
            WebAssets.ContentSecurityPolicy);
    }

    [Theory]
    [InlineData("{0}")]
    [InlineData("W/{0}")]
    [InlineData("\"0000000000000000\", {0}")]
    [InlineData("*")]
    public void A_client_holding_the_current_file_gets_304_without_a_body(string ifNoneMatch)
    {
        var etag = _assets.Respond("/review.js", null).Asset!.ETag;

        var response = _assets.Respond("/review.js", string.Format(ifNoneMatch, etag));

        Assert.Equal(304, response.StatusCode);
        Assert.True(response.Body.IsEmpty);
        var headers = response.Headers.ToDictionary(h => h.Key, h => h.Value, StringComparer.OrdinalIgnoreCase);
        Assert.Equal(etag, headers["ETag"]);
        AssertSecurityHeaders(headers);
    }

    [Fact]
    public void A_client_holding_an_older_file_gets_the_new_one()
    {
        var response = _assets.Respond("/common.js", "\"0000000000000000\"");

        Assert.Equal(200, response.StatusCode);
        Assert.False(response.Body.IsEmpty);
    }

    [Fact]
    public void The_etag_changes_with_the_content()
    {
        var tags = _assets.Files.Select(f => f.ETag).Concat(WebAssets.Pages.Select(p => _assets.Find(p.Route.Replace("{id}", "x"))!.ETag)).ToList();
        Assert.Equal(tags.Count, tags.Distinct().Count());
    }

    [Theory]
    [InlineData("/index.html")] // pages only at their routes
    [InlineData("/review.html")]
    [InlineData("/review")]
    [InlineData("/review/")]
    [InlineData("/review/a/b")]
    [InlineData("/nothing.js")]
    [InlineData("/api/documents")]
    [InlineData("")]
    [InlineData("common.js")]
    public void Unknown_paths_are_404_with_the_security_headers(string path)
    {
        var response = _assets.Respond(path, null);

        Assert.Equal(404, response.StatusCode);
        Assert.Null(response.Asset);
        Assert.True(response.Body.IsEmpty);
        AssertSecurityHeaders(response.Headers.ToDictionary(h => h.Key, h => h.Value, StringComparer.OrdinalIgnoreCase));
    }

    [Fact]
    public void Every_file_in_wwwroot_is_served_with_a_known_content_type()
    {
        var pageFiles = WebAssets.Pages.Select(p => p.File).ToHashSet();
        foreach (var path in Directory.EnumerateFiles(Source, "*", SearchOption.AllDirectories))
        {
            var name = Path.GetRelativePath(Source, path).Replace(Path.DirectorySeparatorChar, '/');
            Assert.True(WebAssets.ContentTypeOf(name) is not null, $"wwwroot/{name} has no known content type.");
            Assert.True(pageFiles.Contains(name) || _assets.Find("/" + name)?.Name == name, $"wwwroot/{name} is not served.");
        }
        foreach (var page in WebAssets.Pages) Assert.True(File.Exists(Path.Combine(Source, page.File)), $"{page.Route} has no file.");
    }

    [Fact]
    public void The_build_copies_every_web_file_next_to_the_app()
    {
        Assert.True(Directory.Exists(BuildCopy), $"The build has no {BuildCopy}.");
        foreach (var path in Directory.EnumerateFiles(Source, "*", SearchOption.AllDirectories))
        {
            var copy = Path.Combine(BuildCopy, Path.GetRelativePath(Source, path));
            Assert.True(File.Exists(copy), $"The build did not copy {path}.");
            Assert.Equal(File.ReadAllBytes(path), File.ReadAllBytes(copy));
        }
    }

    [Fact]
    public void Every_address_a_page_or_style_sheet_names_is_served()
    {
        var references = new List<(string From, string Url)>();
        foreach (var file in Directory.EnumerateFiles(Source, "*.html"))
            foreach (Match m in Regex.Matches(File.ReadAllText(file), "\\s(?:src|href)=\"([^\"]*)\""))
                references.Add((Path.GetFileName(file), m.Groups[1].Value));
        foreach (var file in Directory.EnumerateFiles(Source, "*.css"))
            foreach (Match m in Regex.Matches(File.ReadAllText(file), "url\\(\\s*['\"]?([^'\")]*)"))
                references.Add((Path.GetFileName(file), m.Groups[1].Value));

        Assert.Contains(references, r => r.Url == "/common.js");
        foreach (var (from, url) in references)
        {
            if (url.StartsWith("data:", StringComparison.Ordinal)) continue;
            Assert.True(url.StartsWith('/') && !url.StartsWith("//", StringComparison.Ordinal), $"{from} names {url}: only addresses of this app ('/…') are allowed.");
            Assert.True(_assets.Find(url.Split('?', '#')[0]) is not null, $"{from} names {url}, which is not served.");
        }
    }

    [Fact]
    public void Pages_hold_no_inline_script_style_or_handler_the_policy_would_block()
    {
        foreach (var file in Directory.EnumerateFiles(Source, "*.html"))
        {
            var html = File.ReadAllText(file, Encoding.UTF8);
            var name = Path.GetFileName(file);
            Assert.DoesNotMatch(new Regex("<script(?![^>]*\\ssrc=)", RegexOptions.IgnoreCase), html);
            Assert.DoesNotMatch(new Regex("<style", RegexOptions.IgnoreCase), html);
            Assert.False(Regex.IsMatch(html, "\\sstyle=", RegexOptions.IgnoreCase), $"{name} has a style attribute.");
            Assert.False(Regex.IsMatch(html, "\\son[a-z]+=", RegexOptions.IgnoreCase), $"{name} has an event handler attribute.");
            Assert.False(Regex.IsMatch(html, "javascript:", RegexOptions.IgnoreCase), $"{name} has a javascript: address.");
            Assert.StartsWith("<!DOCTYPE html>\n<html lang=\"vi\">", html);
        }
    }

    private static void AssertSecurityHeaders(IReadOnlyDictionary<string, string> headers)
    {
        Assert.Equal(WebAssets.ContentSecurityPolicy, headers["Content-Security-Policy"]);
        Assert.Equal("nosniff", headers["X-Content-Type-Options"]);
        Assert.Equal("no-referrer", headers["Referrer-Policy"]);
        Assert.Equal("DENY", headers["X-Frame-Options"]);
        Assert.Equal("no-cache", headers["Cache-Control"]);
    }
}
