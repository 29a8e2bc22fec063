using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using Pipeline.Functions.Web;

namespace Pipeline.Functions.Tests.Web;

/// <summary>The pages and their files as the running app serves them: headers, revalidation, HEAD, and no way out of wwwroot.</summary>
public sealed class WebPagesHttpTests(PipelineAppFixture app) : IClassFixture<PipelineAppFixture>
{
    [Theory]
    [InlineData("/", "text/html")]
    [InlineData("/review/0123456789abcdef0123456789abcdef", "text/html")]
    [InlineData("/secretary", "text/html")]
    [InlineData("/common.js", "text/javascript")]
    [InlineData("/approvals.js", "text/javascript")]
    [InlineData("/documents.js", "text/javascript")]
    [InlineData("/review.js", "text/javascript")]
    [InlineData("/secretary.js", "text/javascript")]
    [InlineData("/common.css", "text/css")]
    [InlineData("/review.css", "text/css")]
    [InlineData("/secretary.css", "text/css")]
    public async Task Each_page_and_file_is_sent_with_its_type_the_policy_and_revalidation(string path, string mediaType)
    {
        using var response = await app.Anonymous.GetAsync(path);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(mediaType, response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("utf-8", response.Content.Headers.ContentType?.CharSet);
        Assert.Equal(WebAssets.ContentSecurityPolicy, Header(response, "Content-Security-Policy"));
        Assert.Equal("nosniff", Header(response, "X-Content-Type-Options"));
        Assert.Equal("no-referrer", Header(response, "Referrer-Policy"));
        Assert.Equal("DENY", Header(response, "X-Frame-Options"));
        Assert.Equal("no-cache", Header(response, "Cache-Control"));
        var etag = response.Headers.ETag;
        Assert.NotNull(etag);
        Assert.False(etag.IsWeak);

        using var again = new HttpRequestMessage(HttpMethod.Get, path);
        again.Headers.IfNoneMatch.Add(etag);
        using var notModified = await app.Anonymous.SendAsync(again);
        Assert.Equal(HttpStatusCode.NotModified, notModified.StatusCode);
        Assert.Empty(await notModified.Content.ReadAsByteArrayAsync());
        Assert.Equal(etag, notModified.Headers.ETag);
        Assert.Equal(WebAssets.ContentSecurityPolicy, Header(notModified, "Content-Security-Policy"));
    }

    [Fact]
    public async Task Head_sends_the_headers_without_the_body()
    {
        using var get = await app.Anonymous.GetAsync("/common.js");
        var length = (await get.Content.ReadAsByteArrayAsync()).Length;

        using var head = await app.Anonymous.SendAsync(new HttpRequestMessage(HttpMethod.Head, "/common.js"));

        Assert.Equal(HttpStatusCode.OK, head.StatusCode);
        Assert.Equal(length, head.Content.Headers.ContentLength);
        Assert.Empty(await head.Content.ReadAsByteArrayAsync());
        Assert.Equal(get.Headers.ETag, head.Headers.ETag);
    }

    [Theory]
    [InlineData("/nothing.js")]
    [InlineData("/index.html")]
    [InlineData("/host.json")]
    [InlineData("/Pipeline.Functions.dll")]
    [InlineData("/wwwroot/common.js")]
    public async Task Paths_with_no_page_or_file_are_404(string path)
    {
        using var response = await app.Anonymous.GetAsync(path);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Theory]
    [InlineData("/../host.json")]
    [InlineData("/%2e%2e/host.json")]
    [InlineData("/..%2fhost.json")]
    [InlineData("/..%5chost.json")]
    [InlineData("/%2e%2e%2f%2e%2e%2fetc%2fpasswd")]
    [InlineData("/review/..%2f..%2fhost.json")]
    [InlineData("/..%2fPipeline.Functions.dll")]
    public async Task Raw_traversal_requests_read_nothing_outside_wwwroot(string rawPath)
    {
        // HttpClient would normalise the path; the request goes out as written.
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(app.App.BaseAddress.Host, app.App.BaseAddress.Port);
        await using var stream = tcp.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes($"GET {rawPath} HTTP/1.1\r\nHost: {app.App.BaseAddress.Authority}\r\nConnection: close\r\n\r\n"));
        using var reader = new StreamReader(stream, Encoding.UTF8);
        var answer = await reader.ReadToEndAsync();

        var status = answer.Split(' ', 3)[1];
        Assert.True(status is "400" or "404" || (status == "200" && answer.Contains("<!DOCTYPE html>", StringComparison.Ordinal)),
            $"{rawPath} answered {status}: {answer[..Math.Min(answer.Length, 300)]}");
        Assert.DoesNotContain("\"functionTimeout\"", answer);
        Assert.DoesNotContain("root:", answer);
        Assert.DoesNotContain("MZ", answer[(answer.IndexOf("\r\n\r\n", StringComparison.Ordinal) + 4)..]);
    }

    private static string Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) || response.Content.Headers.TryGetValues(name, out values)
            ? string.Join(",", values)
            : "";
}
