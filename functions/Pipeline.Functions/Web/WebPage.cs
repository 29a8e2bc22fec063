namespace Pipeline.Functions.Web;

/// <summary>
/// A page of the app: the HTML file <paramref name="File"/> of <c>wwwroot</c> served at <paramref name="Route"/>, a route
/// template whose <c>{name}</c> segments match any one non-empty segment. The file is the same for every address the
/// route matches: its script reads what it needs (the review page's document id) from <c>location</c>.
/// </summary>
public sealed record WebPage(string Route, string File, string Summary);
