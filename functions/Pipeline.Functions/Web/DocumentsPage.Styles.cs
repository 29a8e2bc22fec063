namespace Pipeline.Functions.Web;

internal static partial class DocumentsPage
{
    /// <summary>The CSS of <c>/app.css</c>: system fonts (Vietnamese diacritics render everywhere), readable at 1024 px and up.</summary>
    public const string Styles = """
:root {
  --ink: #1b1f24; --muted: #56606b; --line: #c9d1d9; --paper: #ffffff; --back: #f3f5f7;
  --accent: #a4161a; --accent-ink: #ffffff; --focus: #1f6feb; --ok: #1a7f37; --bad: #b42318; --warn: #9a6700;
  font-family: system-ui, "Segoe UI", Roboto, "Noto Sans", Arial, sans-serif;
  font-size: 16px; line-height: 1.45; color: var(--ink); background: var(--back);
}
* { box-sizing: border-box; }
body { margin: 0; }
.banner { background: var(--accent); color: var(--accent-ink); padding: 0.75rem 1.5rem; }
.banner h1 { margin: 0; font-size: 1.5rem; }
.banner .en { color: #f5d0d1; }
main { max-width: 78rem; margin: 0 auto; padding: 1rem 1.5rem 3rem; }
h2 { font-size: 1.2rem; margin: 0 0 0.75rem; }
.en { font-weight: normal; font-size: 0.85em; color: var(--muted); }
button .en { color: inherit; opacity: 0.85; }
.card { background: var(--paper); border: 1px solid var(--line); border-radius: 6px; padding: 1rem 1.25rem; margin: 1rem 0; }
.row { display: flex; flex-wrap: wrap; align-items: center; gap: 0.5rem 0.75rem; }
.grid { display: grid; grid-template-columns: repeat(4, minmax(0, 1fr)); gap: 0.75rem 1rem; align-items: end; }
.wide { grid-column: 1 / -1; }
.field { display: flex; flex-direction: column; gap: 0.25rem; }
label { font-weight: 600; }
input, select, button { font: inherit; }
input[type=text], input[type=password], input[type=search], select {
  padding: 0.4rem 0.5rem; border: 1px solid #8b949e; border-radius: 4px; min-width: 0; background: #fff; color: var(--ink);
}
#key-input { width: 24rem; max-width: 100%; }
#search { width: 22rem; max-width: 100%; }
button { padding: 0.45rem 0.9rem; border-radius: 4px; border: 1px solid var(--accent); background: var(--accent); color: var(--accent-ink); cursor: pointer; }
button.secondary, button.link { background: #fff; color: var(--accent); }
button.link { padding: 0.2rem 0.5rem; font-size: 0.9rem; }
button:disabled { opacity: 0.5; cursor: not-allowed; }
:focus-visible { outline: 3px solid var(--focus); outline-offset: 2px; }
.hint { color: var(--muted); font-size: 0.9rem; }
code { background: #eef1f4; padding: 0 0.25rem; border-radius: 3px; }
.problem { border-left: 4px solid var(--bad); background: #fdecea; padding: 0.5rem 0.75rem; margin: 0.75rem 0; }
.problem strong { display: block; }
.problem p { margin: 0.25rem 0 0; }
.result { list-style: none; padding: 0; margin: 0.75rem 0 0; }
.result li { padding: 0.2rem 0; }
.result .duplicate { color: var(--warn); }
.table-wrap { overflow-x: auto; }
table { width: 100%; border-collapse: collapse; font-size: 0.95rem; }
th, td { text-align: left; padding: 0.45rem 0.5rem; border-bottom: 1px solid var(--line); vertical-align: top; }
th { background: #eef1f4; }
td.file { overflow-wrap: break-word; min-width: 8rem; max-width: 18rem; }
.status { font-weight: 600; }
.status-Digitised, .status-Approved { color: var(--ok); }
.status-Rejected, .status-Failed, .status-Returned { color: var(--bad); }
.status-NeedsReview { color: var(--warn); }
progress { width: 12rem; max-width: 100%; height: 1rem; display: block; margin-top: 0.25rem; }
.stage, .row-error, .small { font-size: 0.85rem; color: var(--muted); display: block; }
.row-error { color: var(--bad); }
.actions-cell { display: flex; flex-wrap: wrap; gap: 0.25rem; }
.pager { margin-top: 0.75rem; }
pre { white-space: pre-wrap; word-break: break-word; max-height: 32rem; overflow: auto; background: #f6f8fa; border: 1px solid var(--line); padding: 0.75rem; font-size: 0.9rem; }
.visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
@media (max-width: 900px) { .grid { grid-template-columns: repeat(2, minmax(0, 1fr)); } }
""";
}
