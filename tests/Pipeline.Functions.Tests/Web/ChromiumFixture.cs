using Microsoft.Playwright;

namespace Pipeline.Functions.Tests.Web;

/// <summary>
/// Headless Chromium driven by Playwright, shared by the tests of a class. It uses the system's
/// <c>/usr/bin/chromium</c> (Playwright's own browser download is not needed); the Playwright driver comes
/// with the NuGet package, copied to <c>bin/…/.playwright</c> by its build targets.
/// </summary>
public sealed class ChromiumFixture : IAsyncLifetime
{
    /// <summary>The browser executable.</summary>
    public const string ExecutablePath = "/usr/bin/chromium";

    private IPlaywright? _playwright;
    private IBrowser? _browser;

    /// <summary>The browser.</summary>
    public IBrowser Browser => _browser ?? throw new InvalidOperationException("Not started.");

    public async Task InitializeAsync()
    {
        if (!File.Exists(ExecutablePath))
            throw new FileNotFoundException($"The browser tests need Chromium at {ExecutablePath} (apt-get install chromium).");
        _playwright = await Playwright.CreateAsync();
        _browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ExecutablePath,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        });
    }

    /// <summary>
    /// A new private context (own sessionStorage) opening pages of <paramref name="baseAddress"/> at 1024 px wide.
    /// Navigations may take up to 90 s: on two cores the suite runs apps, OCR and browsers side by side, and a page
    /// load that waits behind them is slow, not broken.
    /// </summary>
    public async Task<IBrowserContext> NewContextAsync(Uri baseAddress)
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = baseAddress.ToString(),
            ViewportSize = new ViewportSize { Width = 1024, Height = 768 },
            Locale = "vi-VN",
            AcceptDownloads = true,
        });
        context.SetDefaultNavigationTimeout(90_000);
        return context;
    }

    public async Task DisposeAsync()
    {
        if (_browser is not null) await _browser.DisposeAsync();
        _playwright?.Dispose();
    }
}
