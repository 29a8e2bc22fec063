namespace Pipeline.Functions.Web;

/// <summary>
/// The markup the clerk's page and the review page share: the document shell (head with the shared styles, the shared
/// script <c>/common.js</c> and then the page's own, and the banner) and the key form. Every argument is a constant of
/// the page builders, never data, so nothing here is escaped.
/// </summary>
internal static class PageShell
{
    /// <summary>
    /// A whole page: <paramref name="title"/> in the tab, <paramref name="heading"/> (markup) in the banner, then
    /// <paramref name="main"/> (markup, the <c>main</c> element). The head links <c>/app.css</c> and, when given,
    /// <paramref name="stylesheet"/>; it loads <c>/common.js</c> before <paramref name="script"/>, both deferred, so
    /// they run in that order once the document is parsed.
    /// </summary>
    public static string Page(string title, string heading, string script, string main, string? stylesheet = null)
    {
        var extraStyles = stylesheet is null ? "" : $"""

<link rel="stylesheet" href="{stylesheet}">
""";
        return $"""
<!DOCTYPE html>
<html lang="vi">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/app.css">{extraStyles}
<script src="/common.js" defer></script>
<script src="{script}" defer></script>
</head>
<body>
<header class="banner">
  <h1>{heading}</h1>
</header>
{main}
</body>
</html>
""";
    }

    /// <summary>
    /// The heading and form of a key card (indented for a <c>section</c> in <c>main</c>); the card, its hint and its
    /// state are the page's. The script saves the key on submit; <paramref name="canForget"/> adds a button to forget it.
    /// </summary>
    public static string KeyForm(bool canForget)
    {
        var forget = canForget ? """

      <button type="button" id="key-forget" class="secondary">Xóa khóa <span class="en" lang="en">Forget</span></button>
""" : "";
        return $"""
    <h2 id="key-heading">Khóa truy cập <span class="en" lang="en">API key</span></h2>
    <!-- The key input has no name: were the script not running, submitting the form could not put the key in a URL. -->
    <form id="key-form" class="row" autocomplete="off">
      <label for="key-input">Khóa API <span class="en" lang="en">(x-functions-key)</span></label>
      <input id="key-input" type="password" spellcheck="false" autocapitalize="off" required aria-describedby="key-hint">
      <button type="submit" id="key-save">Lưu khóa <span class="en" lang="en">Save</span></button>{forget}
    </form>
""";
    }
}
