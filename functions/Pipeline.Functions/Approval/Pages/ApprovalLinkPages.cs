using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;
using Pipeline.Functions.Documents;
using Pipeline.Functions.Storage;
using Pipeline.Functions.Links;

namespace Pipeline.Functions.Approval;

/// <summary>
/// The pages approvers reach from the link in their email (API.md "Approvals"), anonymous functions:
/// <c>GET /approvals/{token}</c> shows the document and the decision form and never changes the approval (mail
/// scanners open links before people do); <c>POST /approvals/{token}</c> records the decision once;
/// <c>GET /approvals/{token}/archive</c> serves the archive PDF while the link is usable. The token is the only
/// credential: no API key, no cookie. Every response is uncacheable, unframeable, unindexed and sends no Referer, and
/// every caller address is rate-limited before any other work.
/// </summary>
public sealed class ApprovalLinkFunctions(SignedLinks links, ApprovalStore store, ApprovalDecisions decisions, DocumentCatalog catalog, IBlobStore blobs,
    TimeProvider clock, ApprovalOptions options, LinkLimiters limiters)
{
    /// <summary>The limiter's name for these pages.</summary>
    public const string Surface = "approvals";

    private readonly LinkLimiter _limiter = limiters.For(Surface);

    /// <summary>The decision page: the document, the step, the form. Never changes the approval.</summary>
    [Function("GetApprovalLinkPage")]
    public async Task<IResult> Show([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "approvals/{token}")] HttpRequest request, string token,
        CancellationToken ct)
    {
        var http = request.HttpContext;
        if (!_limiter.TryRequest(PublicRequest.Client(http))) return RefusalPages.TooMany(http);
        var (link, refusal) = await CheckAsync(token, http, ct);
        if (refusal is not null) return refusal;
        var document = await catalog.GetAsync(link.Approval!.DocumentId, ct);
        // An access record, not a state change: who opened the document's details through which link, from where.
        await AuditAsync(link, "approval-link-viewed", http, ct);
        return ApprovalPageShell.Html(http, StatusCodes.Status200OK, "Đề nghị cho ý kiến về văn bản", DecisionPage.Content(link, document, BasePath(http), token));
    }

    /// <summary>Records <c>decision=approve|reject|return</c> with <c>comment</c>, once per link.</summary>
    [Function("PostApprovalLinkDecision")]
    public async Task<IResult> Decide([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "approvals/{token}")] HttpRequest request, string token,
        [DurableClient] DurableTaskClient client, CancellationToken ct)
    {
        var http = request.HttpContext;
        if (!_limiter.TryRequest(PublicRequest.Client(http))) return RefusalPages.TooMany(http);
        if (PublicRequest.IsCrossSite(request, options.PublicBaseUrl)) return RefusalPages.CrossSite(http);
        var (link, refusal) = await CheckAsync(token, http, ct);
        if (refusal is not null) return refusal;

        if (!request.HasFormContentType)
            return RefusalPages.BadForm(http, StatusCodes.Status415UnsupportedMediaType, "Yêu cầu không phải biểu mẫu cho ý kiến.");
        if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size) size.MaxRequestBodySize = LinkPage.MaxFormBytes;
        if (request.ContentLength > LinkPage.MaxFormBytes)
            return RefusalPages.BadForm(http, StatusCodes.Status413PayloadTooLarge, "Không đọc được nội dung gửi lên (quá lớn hoặc không đúng dạng).");
        IFormCollection form;
        try
        {
            form = await request.ReadFormAsync(ct);
        }
        catch (Exception e) when (e is InvalidDataException or BadHttpRequestException or IOException)
        {
            return RefusalPages.BadForm(http, e is BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge } ? StatusCodes.Status413PayloadTooLarge : StatusCodes.Status400BadRequest,
                "Không đọc được nội dung gửi lên (quá lớn hoặc không đúng dạng).");
        }

        var comment = ApprovalLinkPages.NormaliseComment(form["comment"].Count == 1 ? form["comment"][0] : null);
        var (decision, error) = ApprovalLinkPages.Validate(form["decision"].Count == 1 ? form["decision"][0] : null, comment);
        if (error is not null)
        {
            var page = await catalog.GetAsync(link.Approval!.DocumentId, ct);
            return ApprovalPageShell.Html(http, StatusCodes.Status400BadRequest, "Đề nghị cho ý kiến về văn bản",
                DecisionPage.Content(link, page, BasePath(http), token, error, comment));
        }

        var claims = link.Claims!;
        // The store decides in one transaction; the check above only spared it work, so a race still ends here as used or superseded.
        var outcome = await decisions.DecideAsync(client, claims, decision, comment, LinkLimiter.ClientAddress(http), LinkLimiter.UserAgent(http), ct);
        switch (outcome.Result)
        {
            case DecisionResult.Recorded:
                var document = await catalog.GetAsync(outcome.Approval!.DocumentId, ct);
                return ApprovalPageShell.Html(http, StatusCodes.Status200OK, "Đã ghi nhận ý kiến", DecisionPage.Receipt(outcome, claims, decision, comment, document));
            case DecisionResult.AlreadyUsed:
                return RefusalPages.Used(http, claims, new CheckedLink(LinkUsability.Used, claims, outcome.Approval).OwnDecision);
            case DecisionResult.Superseded:
                return RefusalPages.Superseded(http, claims, outcome.Approval!);
            default:
                return RefusalPages.ForLink(http, new CheckedLink(LinkUsability.Unknown, claims, null));
        }
    }

    /// <summary>The document's archive PDF while the link is usable; every read is audited.</summary>
    [Function("GetApprovalLinkArchive")]
    public async Task<IResult> Archive([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "approvals/{token}/archive")] HttpRequest request, string token,
        CancellationToken ct)
    {
        var http = request.HttpContext;
        if (!_limiter.TryRequest(PublicRequest.Client(http))) return RefusalPages.TooMany(http);
        // Only while the link can still decide: the approver needs the text to decide, not a lasting copy.
        var (link, refusal) = await CheckAsync(token, http, ct);
        if (refusal is not null) return refusal;
        var document = await catalog.GetAsync(link.Approval!.DocumentId, ct);
        if (document?.ArchiveSha256 is not { } sha256) return RefusalPages.NoArchive(http);
        var stream = await blobs.OpenReadAsync(sha256, ct)
            ?? throw new InvalidOperationException($"Blob {sha256} (archive of {document.Id}) is missing from the blob store.");
        await AuditAsync(link, "archive-read-by-link", http, ct);
        LinkPage.ProtectResponse(http.Response);
        // A generic name: the original file name may carry the document's number or subject into the downloads list.
        http.Response.Headers.ContentDisposition = "inline; filename=\"van-ban.pdf\"";
        // No ranges: a viewer fetching a PDF in pieces would make one read look like dozens in the audit trail.
        return TypedResults.Stream(stream, "application/pdf", enableRangeProcessing: false);
    }

    // The same check for all three routes, with failures counted against the address; genuine links never count.
    private async Task<(CheckedLink Link, IResult? Refusal)> CheckAsync(string token, HttpContext http, CancellationToken ct)
    {
        var link = await CheckedLink.CheckAsync(token, links, store, clock.GetUtcNow(), ct);
        if (link.IsFailure && !_limiter.TryFail(PublicRequest.Client(http))) return (link, RefusalPages.TooMany(http));
        return (link, link.Usability == LinkUsability.Usable ? null : RefusalPages.ForLink(http, link));
    }

    private async Task AuditAsync(CheckedLink link, string action, HttpContext http, CancellationToken ct)
    {
        var claims = link.Claims!;
        var detail = JsonSerializer.Serialize(new { approvalId = claims.Subject, step = claims.Step, clientAddress = LinkLimiter.ClientAddress(http), userAgent = LinkLimiter.UserAgent(http) },
            JsonSerializerOptions.Web);
        await catalog.Audit.AppendAsync(link.Approval!.DocumentId, new AuditEntry(action, claims.Recipient, detail), ct);
    }

    private static string BasePath(HttpContext http) => http.Request.PathBase.Value ?? "";
}

/// <summary>What the link pages share with the meeting participant pages: the form limits, the cross-site check, the form's reading.</summary>
public static class ApprovalLinkPages
{
    /// <summary>The decision, or why the form cannot be taken (the page says it and keeps what was typed).</summary>
    internal static (ApprovalDecision Decision, string? Error) Validate(string? decisionText, string? comment)
    {
        if (!ApprovalNames.TryParseDecision(decisionText, out var decision))
            return (decision, "Ý kiến không hợp lệ: hãy chọn Đồng ý, Từ chối hoặc Trả lại để chỉnh sửa.");
        if (comment?.Length > DecisionPage.MaxCommentLength)
            return (decision, $"Nội dung ý kiến dài {comment.Length} ký tự, quá giới hạn {DecisionPage.MaxCommentLength} ký tự. Hãy rút gọn rồi gửi lại.");
        if (decision == ApprovalDecision.Reject && comment is null)
            return (decision, "Khi từ chối, hãy ghi rõ lý do vào ô ý kiến rồi bấm Từ chối lại.");
        return (decision, null);
    }

    /// <summary>Line breaks unified, outer blanks trimmed and NFC, so a comment reads the same whichever device wrote it; empty means none.</summary>
    internal static string? NormaliseComment(string? text)
    {
        var trimmed = text?.Replace("\r\n", "\n").Trim();
        return string.IsNullOrEmpty(trimmed) ? null : trimmed.Normalize(System.Text.NormalizationForm.FormC);
    }
}
