using System.Collections.Concurrent;
using Microsoft.Playwright;

namespace Pipeline.Functions.Tests.Web;

/// <summary>
/// What went wrong inside a page that the page itself would not show: uncaught script errors and
/// Content-Security-Policy violations (Chromium reports both on the console).
/// </summary>
public sealed class PageErrors
{
    private readonly ConcurrentQueue<string> _errors = new();

    /// <summary>Starts recording the errors of <paramref name="page"/>.</summary>
    public static PageErrors Watch(IPage page)
    {
        var errors = new PageErrors();
        page.PageError += (_, error) => errors._errors.Enqueue($"uncaught: {error}");
        page.Console += (_, message) =>
        {
            if (message.Type == "error" && message.Text.Contains("Content Security Policy", StringComparison.OrdinalIgnoreCase))
                errors._errors.Enqueue($"CSP: {message.Text}");
        };
        return errors;
    }

    /// <summary>Fails listing the errors, if any.</summary>
    public void AssertNone() => Assert.True(_errors.IsEmpty, "The page reported errors:\n" + string.Join("\n", _errors));
}
