using Pipeline.Functions.Documents;

namespace Pipeline.Functions.Meetings;

/// <summary>
/// Whether a plan's documents may go into a pack and onto the participants' pages as they are now, not only as they
/// were when the agenda was written: a document's secrecy can be raised later (its stamp read after the agenda was
/// written, or corrected by a reviewer), so publishing, every pack build and every page and document request ask again.
/// </summary>
public static class MeetingDocuments
{
    /// <summary>What stops the plan's documents going into a pack now (empty when nothing does).</summary>
    public static async Task<IReadOnlyList<string>> ProblemsAsync(MeetingPlan plan, string office, DocumentCatalog catalog, CancellationToken ct)
    {
        var problems = new List<string>();
        foreach (var item in plan.Agenda)
        {
            foreach (var id in item.DocumentIds)
            {
                var document = await catalog.GetAsync(id, ct);
                if (document is null || document.Office != office) problems.Add($"Item {item.Number}: there is no document {id}.");
                else if (document.ArchiveSha256 is null)
                    problems.Add($"Item {item.Number}: document {id} is {document.Status} and has no archive PDF yet; wait until it is digitised.");
                else if (!MayShow(document, item))
                    problems.Add($"Item {item.Number} holds document {id}, which is now secret: name the participants who may see the item.");
            }
        }
        return problems;
    }

    /// <summary>True unless the document is secret and the item is open to every participant.</summary>
    public static bool MayShow(DocumentRecord document, AgendaItem item) => !document.Secrecy.IsSecret() || item.RestrictedTo is { Count: > 0 };
}
