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
input, select, button, textarea { font: inherit; }
input[type=text], input[type=password], input[type=search], input[type=email], select, textarea {
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
.status-NeedsReview, .status-InApproval { color: var(--warn); }
progress { width: 12rem; max-width: 100%; height: 1rem; display: block; margin-top: 0.25rem; }
.stage, .row-error, .small { font-size: 0.85rem; color: var(--muted); display: block; }
.row-error { color: var(--bad); }
.actions-cell { display: flex; flex-wrap: wrap; gap: 0.25rem; }
.pager { margin-top: 0.75rem; }
pre { white-space: pre-wrap; word-break: break-word; max-height: 32rem; overflow: auto; background: #f6f8fa; border: 1px solid var(--line); padding: 0.75rem; font-size: 0.9rem; }
.visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
/* Approvals: a full-width row under the document's, holding the panel of its latest approval and the send form. */
tr.approval-row > td { background: #fafbfc; padding: 0.5rem 1rem 0.75rem; }
/* `hidden` must win over the flex and grid displays below (an author `display` otherwise beats the browser's [hidden]). */
.approval-row [hidden] { display: none; }
.approval-panel h3, .approval-form h3 { font-size: 1.05rem; margin: 0 0 0.35rem; }
.approval-status { font-weight: 700; }
.approval-status-Approved { color: var(--ok); }
.approval-status-Rejected, .approval-status-Returned, .approval-status-Expired { color: var(--bad); }
.approval-status-Pending { color: var(--warn); }
.approval-status-Cancelled { color: var(--muted); }
.approval-steps { margin: 0.5rem 0; padding-left: 1.5rem; }
.approval-step { margin: 0 0 0.5rem; padding: 0.25rem 0.5rem; border-left: 3px solid var(--line); }
.approval-step[aria-current=step] { border-left-color: var(--warn); }
.step-status { font-size: 0.9rem; font-weight: 600; }
.step-status-Approved { color: var(--ok); }
.step-status-Rejected, .step-status-Returned, .step-status-Expired { color: var(--bad); }
/* An overdue step is the one thing the clerk must act on (chase the approver), so it stands out even at a glance. */
.approval-step.step-Overdue { border-left: 5px solid var(--bad); background: #fdecea; }
.step-status-Overdue { color: #fff; background: var(--bad); padding: 0 0.4rem; border-radius: 3px; }
table.decisions { width: auto; margin-top: 0.35rem; font-size: 0.9rem; }
table.decisions th, table.decisions td { padding: 0.2rem 0.6rem; }
table.decisions th { white-space: nowrap; }
.decision-reject td, .decision-return td { color: var(--bad); }
.approver-comment { border-left: 5px solid var(--bad); background: #fdecea; padding: 0.5rem 0.75rem; margin: 0.5rem 0; }
.approver-comment blockquote { margin: 0.35rem 0; font-size: 1.1rem; font-weight: 600; white-space: pre-wrap; }
.approver-comment p { margin: 0.25rem 0 0; }
.cancel-area { margin-top: 0.5rem; }
.cancel-form input { width: 22rem; max-width: 100%; }
.approval-form { border-top: 1px solid var(--line); margin-top: 0.5rem; padding-top: 0.5rem; }
.approval-form > * + * { margin-top: 0.6rem; }
.approval-form > .field { max-width: 32rem; }
.steps-editor { border: 1px solid var(--line); border-radius: 4px; padding: 0.5rem 0.75rem; }
.steps-editor legend { font-weight: 600; padding: 0 0.25rem; }
.step-row { display: grid; grid-template-columns: 4rem minmax(8rem, 1.2fr) minmax(12rem, 1.6fr) minmax(8rem, 0.9fr) minmax(9rem, 1fr) auto; gap: 0.5rem 0.75rem; align-items: start; padding: 0.4rem 0; border-bottom: 1px dashed var(--line); }
.step-row.invalid { background: #fdecea; }
.step-number { font-weight: 600; padding-top: 1.8rem; }
.step-row > button { margin-top: 1.6rem; }
.step-row textarea { resize: vertical; min-height: 2.4rem; }
.steps-editor > button { margin-top: 0.5rem; }
.problem-errors { margin: 0.35rem 0 0; padding-left: 1.25rem; }
@media (max-width: 900px) { .grid { grid-template-columns: repeat(2, minmax(0, 1fr)); } }
""";
}
