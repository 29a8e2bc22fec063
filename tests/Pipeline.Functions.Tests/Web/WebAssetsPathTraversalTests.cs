using System.Text;
using Pipeline.Functions.Web;

namespace Pipeline.Functions.Tests.Web;

/// <summary>
/// No request path reaches a file outside wwwroot: the app's own files beside it (host.json, the data directory, the
/// dll), absolute paths, dot segments in any spelling, and symbolic links placed inside wwwroot.
/// </summary>
public sealed class WebAssetsPathTraversalTests : IDisposable
{
    private const string Secret = "SECRET-OUTSIDE-WWWROOT";
    private readonly string _app = Directory.CreateTempSubdirectory("pipeline-web-").FullName;
    private readonly string _root;

    public WebAssetsPathTraversalTests()
    {
        _root = Path.Combine(_app, "wwwroot");
        Directory.CreateDirectory(Path.Combine(_root, "img"));
        Directory.CreateDirectory(Path.Combine(_app, "data"));
        foreach (var page in WebAssets.Pages) File.WriteAllText(Path.Combine(_root, page.File), "<!DOCTYPE html>");
        File.WriteAllText(Path.Combine(_root, "common.js"), "'use strict';");
        File.WriteAllText(Path.Combine(_root, "img", "logo.svg"), "<svg/>");
        File.WriteAllText(Path.Combine(_app, "host.json"), Secret);
        File.WriteAllText(Path.Combine(_app, "data", "admin.key"), Secret);
        File.WriteAllText(Path.Combine(_root, ".hidden.js"), Secret);
        File.CreateSymbolicLink(Path.Combine(_root, "linked.js"), Path.Combine(_app, "host.json"));
        Directory.CreateSymbolicLink(Path.Combine(_root, "up"), _app);
    }

    public void Dispose() => Directory.Delete(_app, recursive: true);

    [Fact]
    public void Only_the_plain_files_inside_wwwroot_are_served()
    {
        var assets = new WebAssets(_root);

        Assert.Equal(["common.js", "img/logo.svg"], assets.Files.Select(f => f.Name).Order(StringComparer.Ordinal));
        Assert.Equal("<svg/>", Encoding.UTF8.GetString(assets.Respond("/img/logo.svg", null).Body.Span));
        Assert.Equal("image/svg+xml", assets.Find("/img/logo.svg")!.ContentType);
    }

    [Theory]
    [InlineData("/../host.json")]
    [InlineData("/../data/admin.key")]
    [InlineData("/img/../../host.json")]
    [InlineData("/img/../common.js")]
    [InlineData("/./common.js")]
    [InlineData("/%2e%2e/host.json")]
    [InlineData("/%2E%2E%2Fhost.json")]
    [InlineData("/..%2fhost.json")]
    [InlineData("/..%5chost.json")]
    [InlineData("/..\\host.json")]
    [InlineData("/img\\..\\..\\host.json")]
    [InlineData("/....//host.json")]
    [InlineData("/.hidden.js")]
    [InlineData("/linked.js")]
    [InlineData("/up/host.json")]
    [InlineData("/up/data/admin.key")]
    [InlineData("/wwwroot/../host.json")]
    [InlineData("//host.json")]
    [InlineData("/common.js/")]
    [InlineData("/common.js\0")]
    [InlineData("/common.js%00")]
    [InlineData("../host.json")]
    [InlineData("host.json")]
    public void Dot_segments_encodings_links_and_hidden_files_are_404(string path)
    {
        var assets = new WebAssets(_root);

        var response = assets.Respond(path, null);

        Assert.Equal(404, response.StatusCode);
        Assert.Null(response.Asset);
    }

    [Fact]
    public void Absolute_paths_are_404()
    {
        var assets = new WebAssets(_root);

        foreach (var path in new[] { Path.Combine(_app, "host.json"), "/" + Path.Combine(_app, "host.json"), "/etc/passwd", "/C:/Windows/win.ini", "/file:///etc/passwd" })
            Assert.Equal(404, assets.Respond(path, null).StatusCode);
    }

    [Fact]
    public void A_file_of_unknown_type_stops_the_app_at_start()
    {
        File.WriteAllText(Path.Combine(_root, "notes.md"), "draft");

        var error = Assert.Throws<InvalidOperationException>(() => new WebAssets(_root));
        Assert.Contains("wwwroot/notes.md has no known content type", error.Message);
    }

    [Fact]
    public void A_missing_page_stops_the_app_at_start()
    {
        File.Delete(Path.Combine(_root, "review.html"));

        var error = Assert.Throws<InvalidOperationException>(() => new WebAssets(_root));
        Assert.Contains("/review/{id} needs wwwroot/review.html", error.Message);
    }
}
