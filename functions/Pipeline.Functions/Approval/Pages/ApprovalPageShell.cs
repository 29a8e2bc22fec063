using Pipeline.Functions.Links;

namespace Pipeline.Functions.Approval;

/// <summary>
/// The frame of the approval link pages: <see cref="LinkPage"/> (no script, the headers that keep the token from
/// leaking) with the approval pages' title, heading and style sheet.
/// </summary>
internal static class ApprovalPageShell
{
    /// <summary>
    /// The title in the tab and in browser history: always the same, because history and synced tabs outlive the
    /// link and must not carry a secret document's number or summary.
    /// </summary>
    public const string Title = "Xin ý kiến văn bản · Pipeline";

    private const string Styles = """
:root{color-scheme:light;--ink:#1b1f24;--muted:#5b6470;--line:#d6dbe1;--bg:#f4f6f8;--card:#fff;--ok:#1d7a3e;--no:#b3261e;--back:#8a5a00;--accent:#0b57a4}
*{box-sizing:border-box}
body{margin:0;background:var(--bg);color:var(--ink);font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans",Arial,sans-serif}
header{background:#8b1a1a;color:#fff;padding:.75rem 1rem}
header p{margin:0;font-size:.85rem;opacity:.9}
header h1{margin:.1rem 0 0;font-size:1.25rem;line-height:1.3}
main{max-width:42rem;margin:0 auto;padding:1rem}
section{background:var(--card);border:1px solid var(--line);border-radius:.5rem;padding:1rem;margin:0 0 1rem}
h2{font-size:1.1rem;margin:0 0 .5rem}
dl{display:grid;grid-template-columns:minmax(7rem,auto) 1fr;gap:.35rem .75rem;margin:0}
dt{color:var(--muted)}
dd{margin:0;overflow-wrap:anywhere}
@media (max-width:30rem){dl{grid-template-columns:1fr}dd{margin-bottom:.4rem}}
.secret{display:inline-block;border:2px solid var(--no);color:var(--no);font-weight:700;padding:0 .4rem;border-radius:.25rem}
.note{color:var(--muted);font-size:.9rem;margin:.5rem 0 0}
.error{border-color:var(--no);background:#fdf1f0}
.done{border-color:var(--ok);background:#eff8f2}
a{color:var(--accent)}
.view{display:inline-block;margin-top:.75rem;font-weight:600}
label{display:block;font-weight:600;margin-bottom:.35rem}
textarea{width:100%;min-height:7rem;font:inherit;padding:.5rem;border:1px solid var(--line);border-radius:.375rem}
.buttons{display:flex;flex-wrap:wrap;gap:.5rem;margin-top:.75rem}
button{flex:1 1 10rem;font:inherit;font-weight:600;color:#fff;border:0;border-radius:.375rem;padding:.75rem 1rem;cursor:pointer}
button.approve{background:var(--ok)}
button.reject{background:var(--no)}
button.return{background:var(--back)}
button:focus-visible,a:focus-visible,textarea:focus-visible{outline:3px solid var(--accent);outline-offset:2px}
""";

    /// <summary>
    /// No script, no frames, no plug-ins, no images; the one style sheet by its hash; forms post only back here. With
    /// <c>frame-ancestors 'none'</c> the page cannot be framed to trick a click on a decision button.
    /// </summary>
    public static readonly string ContentSecurityPolicy = LinkPage.PolicyFor(Styles);

    /// <summary>A whole page with <paramref name="status"/>: the protective headers, the CSP, and the markup.</summary>
    public static IResult Html(HttpContext context, int status, string heading, string main) =>
        LinkPage.Html(context, status, heading, main, Title, "Xin ý kiến văn bản", Styles, ContentSecurityPolicy);

    /// <summary>Text made safe for element content and quoted attribute values (<see cref="LinkPage.Encode"/>).</summary>
    public static string Encode(string? text) => LinkPage.Encode(text);

    /// <summary>A UTC time as Vietnam shows it (<see cref="LinkPage.VietnamTime(DateTime)"/>).</summary>
    public static string VietnamTime(DateTime utc) => LinkPage.VietnamTime(utc);

    /// <summary>A UTC instant as Vietnam shows it.</summary>
    public static string VietnamTime(DateTimeOffset time) => LinkPage.VietnamTime(time.UtcDateTime);


    /// <summary>The Vietnamese name of a decision.</summary>
    public static string DecisionName(ApprovalDecision decision) => decision switch
    {
        ApprovalDecision.Approve => "Đồng ý",
        ApprovalDecision.Reject => "Từ chối",
        _ => "Trả lại để chỉnh sửa",
    };
}
