using System.Net;
using System.Text.Json;

namespace Pipeline.Host.Tests;

/// <summary>Reading RFC 9457 problems from responses.</summary>
public static class Problems
{
    /// <summary>Asserts <paramref name="response"/> is a problem+json with <paramref name="status"/>; returns its JSON.</summary>
    public static async Task<JsonElement> AssertProblemAsync(HttpResponseMessage response, HttpStatusCode status)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == status, $"Expected {(int)status}, got {(int)response.StatusCode}: {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var document = JsonDocument.Parse(body);
        var problem = document.RootElement.Clone();
        Assert.Equal((int)status, problem.GetProperty("status").GetInt32());
        Assert.False(string.IsNullOrWhiteSpace(problem.GetProperty("title").GetString()));
        return problem;
    }

    /// <summary>The problem's title.</summary>
    public static string Title(this JsonElement problem) => problem.GetProperty("title").GetString()!;

    /// <summary>The problem's detail, or "".</summary>
    public static string Detail(this JsonElement problem) => problem.TryGetProperty("detail", out var d) ? d.GetString() ?? "" : "";
}
