namespace Pipeline.Functions.Web;

internal static partial class ReviewPage
{
    /// <summary>
    /// The CSS of <c>/review.css</c>, on top of <c>/app.css</c>: the page image beside the fields (stacked below
    /// 900 px). A doubtful field is marked by colour and by a text marker, so the mark does not rely on colour alone.
    /// </summary>
    public const string Styles = """
.review-main { max-width: 96rem; }
.back { margin: 0.25rem 0 0; }
.back a { color: var(--accent); font-weight: 600; }
.doc-facts { font-size: 0.95rem; }
.review-reason { border-left: 4px solid var(--warn); background: #fff8e1; padding: 0.4rem 0.75rem; margin: 0.75rem 0 0; }
.duplicates { border-left: 4px solid var(--bad); background: #fdecea; padding: 0.5rem 0.75rem; margin: 0.75rem 0 0; }
.duplicates ul { margin: 0.25rem 0 0; padding-left: 1.25rem; }
.duplicates a { color: var(--bad); }
.review-layout { display: grid; grid-template-columns: minmax(0, 6fr) minmax(0, 5fr); gap: 1rem; align-items: start; }
.review-layout > .card { margin: 0; }
.page-panel { position: sticky; top: 0.5rem; }
.page-nav { margin-bottom: 0.5rem; }
.page-frame { max-height: calc(100vh - 9rem); overflow: auto; border: 1px solid var(--line); background: #e9ecef; }
.page-frame img { display: block; width: 100%; height: auto; background: #fff; }
#page-state:empty { display: none; }
.review-field { border: 1px solid var(--line); border-left: 4px solid var(--line); border-radius: 4px; padding: 0.5rem 0.6rem; margin: 0 0 0.6rem; }
.field-head { display: flex; flex-wrap: wrap; justify-content: space-between; gap: 0.25rem 0.75rem; align-items: baseline; }
.confidence { font-size: 0.85rem; color: var(--muted); white-space: nowrap; }
.review-field input[type=text], .review-field textarea {
  width: 100%; margin-top: 0.3rem; padding: 0.4rem 0.5rem; border: 1px solid #8b949e; border-radius: 4px;
  font: inherit; color: var(--ink); background: #fff;
}
.review-field textarea { resize: vertical; min-height: 3.2rem; }
.review-field input:disabled, .review-field textarea:disabled { background: #f3f5f7; color: var(--muted); }
.marker { display: block; font-size: 0.85rem; margin: 0.3rem 0 0; font-weight: 600; }
.marker-low { color: var(--warn); }
.marker-corrected { color: var(--ok); }
.marker-missing { color: var(--muted); font-weight: normal; }
.confirm { display: inline-flex; align-items: center; gap: 0.35rem; font-weight: normal; font-size: 0.9rem; margin-top: 0.3rem; }
.review-field.low-confidence { border-color: #d4a72c; border-left-color: var(--warn); background: #fff8e1; }
.review-field.low-confidence input[type=text], .review-field.low-confidence textarea { border-color: var(--warn); border-width: 2px; }
.review-field.corrected { border-left-color: var(--ok); }
.review-field.pending { box-shadow: 0 0 0 2px var(--focus) inset; }
.legend-low { color: var(--warn); font-weight: 600; }
.legend-corrected { color: var(--ok); font-weight: 600; }
.form-actions { margin-top: 0.5rem; }
#save-state { font-weight: 600; }
#save-state.saved { color: var(--ok); }
@media (max-width: 900px) {
  .review-layout { grid-template-columns: minmax(0, 1fr); }
  .page-panel { position: static; }
}
""";
}
