using Pipeline.Functions.Documents;
using Pipeline.Functions.Extraction;
using Pipeline.Functions.Mail;
using Pipeline.Functions.Links;

namespace Pipeline.Functions.Approval;

/// <summary>
/// Sends an approval's mails at most once each. Every mail has a stable key and time (an invitation: its link's id
/// and issue time; a reminder: the link's id and the step's reminder time; an escalation: the approval, step and due
/// time), recorded in the store after sending. A retry after a crash skips what the store has, and the outbox answers
/// a keyed mail it already holds without writing it again, so even a crash between writing and recording sends once.
/// </summary>
public sealed class ApprovalMailing(ApprovalStore store, DocumentCatalog catalog, IMailer mailer, SignedLinks links, PublicAddress address)
{
    /// <summary>Mails each approver of the step whose link is still usable their personal link; returns how many mails went out now.</summary>
    public async Task<int> SendInvitationsAsync(ApprovalRecord approval, int step, CancellationToken ct)
    {
        var open = (await store.StepLinksAsync(approval.Id, step, ct)).Where(l => l.State == LinkState.Issued).ToList();
        var routeStep = approval.Route.Steps[step];
        var dueAt = Local(approval.Steps[step].DueAt);
        return await SendAsync(approval, step, "invitation", open.Select(link => ("i-" + link.TokenId, link.Approver, link.Issued,
            (Func<ApprovalMailDocument, MailMessage>)(document => ApprovalMails.Invitation(link.Approver, document, routeStep.Name, step + 1,
                approval.Route.Steps.Count, dueAt, address.LinkFor(links.Issue(link.Claims)))))), ct);
    }

    /// <summary>Reminds each approver of the step who has not decided; returns how many mails went out now.</summary>
    public async Task<int> SendRemindersAsync(ApprovalRecord approval, int step, CancellationToken ct)
    {
        var undecided = await store.UndecidedLinksAsync(approval.Id, step, ct);
        var routeStep = approval.Route.Steps[step];
        var stored = approval.Steps[step];
        return await SendAsync(approval, step, "reminder", undecided.Select(link => ("r-" + link.TokenId, link.Approver, stored.RemindAt!.Value,
            (Func<ApprovalMailDocument, MailMessage>)(document => ApprovalMails.Reminder(link.Approver, document, routeStep.Name, Local(stored.DueAt),
                address.LinkFor(links.Issue(link.Claims)))))), ct);
    }

    /// <summary>Tells the step's escalation contact, if it has one, that the step is overdue and who has not decided.</summary>
    public async Task<int> SendEscalationAsync(ApprovalRecord approval, int step, CancellationToken ct)
    {
        var routeStep = approval.Route.Steps[step];
        if (routeStep.EscalationContact is not { } contact) return 0;
        var undecided = (await store.UndecidedLinksAsync(approval.Id, step, ct)).Select(l => l.Approver).ToList();
        var stored = approval.Steps[step];
        return await SendAsync(approval, step, "escalation", [($"e-{approval.Id}-{step}", contact, stored.DueAt!.Value,
            document => ApprovalMails.Escalation(contact, document, routeStep.Name, Local(stored.DueAt), undecided, approval.Id))], ct);
    }

    private async Task<int> SendAsync(ApprovalRecord approval, int step, string kind,
        IEnumerable<(string Key, string To, DateTime Queued, Func<ApprovalMailDocument, MailMessage> Compose)> mails, CancellationToken ct)
    {
        var sent = await store.SentMailKeysAsync(approval.Id, ct);
        var due = mails.Where(m => !sent.Contains(m.Key)).ToList();
        if (due.Count == 0) return 0;
        var document = await DocumentOf(approval.DocumentId, ct);
        return await mailer.SendEachOnceAsync(due, mail => (mail.Compose(document), mail.Key, mail.Queued),
            (mail, sentMail, token) => store.RecordMailAsync(approval, mail.Key, kind, step, mail.To, sentMail.MessageId, token), ct);
    }

    private async Task<ApprovalMailDocument> DocumentOf(string documentId, CancellationToken ct)
    {
        var document = await catalog.GetAsync(documentId, ct) ?? throw new InvalidOperationException($"Document {documentId} of an approval is missing.");
        var fields = DocumentFields.Parse(document.FieldsJson);
        // A secret document's mail says nothing about it; ApprovalMails leaves the fields out, and they are not even read here.
        return document.Secrecy.IsSecret()
            ? new ApprovalMailDocument(null, null, null, document.Secrecy)
            : new ApprovalMailDocument(fields?.Value("type"), fields?.Value("code"), fields?.Value("summary"), document.Secrecy);
    }

    private static DateTimeOffset Local(DateTime? utc) => new DateTimeOffset(utc!.Value, TimeSpan.Zero).ToOffset(WorkingDayCalendar.VietnamOffset);
}
