using Pipeline.Functions.Links;

namespace Pipeline.Functions.Meetings;

/// <summary>
/// The frame of every participant page: the link pages' protections (<see cref="LinkPage.ProtectResponse"/>,
/// no script, one style sheet allowed by its hash) under the meeting pages' own heading and style sheet.
/// </summary>
internal static class MeetingPageShell
{
    /// <summary>
    /// The title in the tab and in browser history: always the same, because history and synced tabs outlive the link
    /// and must not carry the meeting's or an item's title.
    /// </summary>
    public const string Title = "Tài liệu họp · Pipeline";

    private const string Styles = """
:root{color-scheme:light;--ink:#1b1f24;--muted:#5b6470;--line:#d6dbe1;--bg:#f4f6f8;--card:#fff;--ok:#1d7a3e;--no:#b3261e;--other:#8a5a00;--accent:#0b57a4}
*{box-sizing:border-box}
body{margin:0;background:var(--bg);color:var(--ink);font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans",Arial,sans-serif}
header{background:#8b1a1a;color:#fff;padding:.75rem 1rem}
header p{margin:0;font-size:.85rem;opacity:.9}
header h1{margin:.1rem 0 0;font-size:1.25rem;line-height:1.3}
main{max-width:46rem;margin:0 auto;padding:1rem}
section{background:var(--card);border:1px solid var(--line);border-radius:.5rem;padding:1rem;margin:0 0 1rem}
article{border-top:1px solid var(--line);padding-top:.75rem;margin-top:.75rem}
h2{font-size:1.1rem;margin:0 0 .5rem}
h3{font-size:1rem;margin:0 0 .35rem}
dl{display:grid;grid-template-columns:minmax(7rem,auto) 1fr;gap:.35rem .75rem;margin:0}
dt{color:var(--muted)}
dd{margin:0;overflow-wrap:anywhere}
ul{margin:.25rem 0;padding-left:1.25rem}
li{overflow-wrap:anywhere}
@media (max-width:30rem){dl{grid-template-columns:1fr}dd{margin-bottom:.4rem}}
.secret{display:inline-block;border:2px solid var(--no);color:var(--no);font-weight:700;padding:0 .4rem;border-radius:.25rem;font-size:.85rem}
.note{color:var(--muted);font-size:.9rem;margin:.5rem 0 0}
.error{border-color:var(--no);background:#fdf1f0}
.done{border-color:var(--ok);background:#eff8f2}
.old{color:var(--muted)}
a{color:var(--accent)}
label{display:block;font-weight:600;margin:.5rem 0 .35rem}
textarea{width:100%;min-height:5rem;font:inherit;padding:.5rem;border:1px solid var(--line);border-radius:.375rem}
.buttons{display:flex;flex-wrap:wrap;gap:.5rem;margin-top:.75rem}
button{flex:1 1 9rem;font:inherit;font-weight:600;color:#fff;border:0;border-radius:.375rem;padding:.65rem 1rem;cursor:pointer}
button.yes{background:var(--ok)}
button.no{background:var(--no)}
button.other{background:var(--other)}
button:focus-visible,a:focus-visible,textarea:focus-visible{outline:3px solid var(--accent);outline-offset:2px}
""";

    /// <summary>The page's CSP (<see cref="LinkPage.PolicyFor"/>): its one style sheet by hash, nothing else.</summary>
    public static readonly string ContentSecurityPolicy = LinkPage.PolicyFor(Styles);

    /// <summary>A whole page with <paramref name="status"/>: the protective headers, the CSP, and the markup.</summary>
    public static IResult Html(HttpContext context, int status, string heading, string main) =>
        LinkPage.Html(context, status, heading, main, Title, "Tài liệu họp", Styles, ContentSecurityPolicy);

    /// <summary>Text made safe for element content and quoted attribute values (<see cref="LinkPage.Encode"/>).</summary>
    public static string Encode(string? text) => LinkPage.Encode(text);

    /// <summary>Text that keeps its line breaks on the page.</summary>
    public static string Multiline(string text) => Encode(text.Trim()).Replace("\r\n", "\n").Replace("\n", "<br>");

    /// <summary>A UTC time as Vietnam shows it, e.g. <c>08:00 ngày 15/12/2026 (giờ Việt Nam)</c>.</summary>
    public static string VietnamTime(DateTime utc) => LinkPage.VietnamTime(utc);

    /// <summary>A definition row; a missing value shows as a dash, so the reader sees it is unknown rather than forgotten.</summary>
    public static string Row(string term, string? markup) => $"<dt>{term}</dt><dd>{(string.IsNullOrWhiteSpace(markup) ? "—" : markup)}</dd>\n";

    /// <summary>A card of two plain-text paragraphs: what happened and what to do next.</summary>
    public static string Card(string what, string next) => $"""
<section>
<p>{Encode(what)}</p>
<p class="note">{Encode(next)}</p>
</section>
""";

    /// <summary>The Vietnamese name of a written opinion.</summary>
    public static string AnswerName(OpinionAnswer answer) => answer switch
    {
        OpinionAnswer.Agree => "Đồng ý",
        OpinionAnswer.Disagree => "Không đồng ý",
        _ => "Ý kiến khác",
    };

    /// <summary>The Vietnamese name of a vote.</summary>
    public static string ChoiceName(VoteChoice choice) => choice switch
    {
        VoteChoice.Yes => "Tán thành",
        VoteChoice.No => "Không tán thành",
        _ => "Không biểu quyết",
    };
}
