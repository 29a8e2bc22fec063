namespace Pipeline.Functions.Web;

internal static partial class SecretaryPage
{
    /// <summary>The CSS of <c>/secretary.css</c>, on top of <c>/app.css</c>: plain blocks for the agenda editor and the meeting's items.</summary>
    public const string Styles = """
.back { margin: 0.25rem 0 0; }
.back a, .banner-link { color: var(--accent); font-weight: 600; }
h3 { font-size: 1.05rem; margin: 1rem 0 0.4rem; }
h4 { font-size: 1rem; margin: 0.5rem 0 0.25rem; }
#detail [hidden], .agenda-editor [hidden] { display: none; }
tr.selected > td { background: #fff8e1; }
.status-Published, .status-InSession { color: var(--warn); }
.status-Concluded, .status-Archived { color: var(--ok); }
.facts { font-size: 0.95rem; }
.lifecycle { margin: 0.75rem 0; }
.minutes { border-left: 4px solid var(--ok); background: #eaf5ec; padding: 0.4rem 0.75rem; }
.packs, .attendance { list-style: none; padding: 0; margin: 0; }
.packs li { padding: 0.2rem 0; }
.packs .superseded { color: var(--muted); text-decoration: line-through; }
.attendance label { font-weight: normal; display: inline-flex; gap: 0.35rem; align-items: center; margin: 0 1rem 0.35rem 0; }
.items { padding-left: 1.25rem; }
.item { border-left: 3px solid var(--line); padding: 0.25rem 0.75rem 0.5rem; margin: 0 0 1rem; }
.item-head { font-weight: 600; }
.item textarea { width: 100%; min-height: 3.5rem; resize: vertical; }
.item .sub { margin: 0.35rem 0; }
.item input[type=text] { width: 28rem; max-width: 100%; }
.tally { font-weight: 600; }
.agenda-editor { border: 1px solid var(--line); border-radius: 4px; padding: 0.5rem 0.75rem; margin: 0.75rem 0; }
.agenda-editor legend { font-weight: 600; padding: 0 0.25rem; }
.agenda-row { display: grid; grid-template-columns: 2.5rem minmax(10rem, 1.4fr) minmax(8rem, 1fr) minmax(14rem, 2fr) auto; gap: 0.5rem 0.75rem; padding: 0.5rem 0; border-bottom: 1px dashed var(--line); align-items: start; }
.agenda-row .number { font-weight: 600; padding-top: 1.8rem; }
.agenda-row .more { grid-column: 2 / -1; display: grid; grid-template-columns: repeat(2, minmax(0, 1fr)); gap: 0.5rem 0.75rem; }
.agenda-row > button { margin-top: 1.6rem; }
.doc-choices { max-height: 10rem; overflow: auto; border: 1px solid var(--line); border-radius: 4px; padding: 0.25rem 0.5rem; }
.doc-choices label { display: block; font-weight: normal; font-size: 0.9rem; }
.create-form textarea { width: 100%; }
@media (max-width: 900px) { .agenda-row { grid-template-columns: 1fr; } .agenda-row .more { grid-column: 1; grid-template-columns: 1fr; } }
""";
}
