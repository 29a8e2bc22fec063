using System.Text.Json;
using Microsoft.AspNetCore.Http.Features;
using Pipeline.Functions.Documents;
using Pipeline.Functions.Storage;

namespace Pipeline.Functions.Approval;

/// <summary>
/// The pages approvers reach from the link in their email (API.md "Approvals"): <c>GET /approvals/{token}</c> shows
/// the document and the decision form and never changes the approval (mail scanners open links before people do);
/// <c>POST /approvals/{token}</c> records the decision once; <c>GET /approvals/{token}/archive</c> serves the archive
/// PDF while the link is usable. The token is the only credential: no API key, no cookie. Every response is
/// uncacheable, unframeable, unindexed and sends no Referer, and every caller address is rate-limited.
/// </summary>
public static class ApprovalLinkPages
{
    /// <summary>Largest decision form accepted: a 2,000-character Vietnamese comment percent-encoded is under 20 KB.</summary>
    public const long MaxFormBytes = 64 * 1024;


    /// <summary>Maps the three link routes under <c>/approvals</c>.</summary>
    public static IEndpointRouteBuilder MapApprovalLinkPages(this IEndpointRouteBuilder app)
    {
        var (pages, limiter) = ApprovalLinkLimiter.LimitedGroup(app, "/approvals", "Approval links", RefusalPages.TooMany);
        pages.MapGet("/{token}", (string token, HttpContext http, [AsParameters] Services s, CancellationToken ct) => ShowAsync(token, http, s, limiter, ct))
            .WithName("GetApprovalLinkPage")
            .WithSummary("The decision page: the document, the step, the form. Never changes the approval.");
        pages.MapPost("/{token}", (string token, HttpContext http, [AsParameters] Services s, CancellationToken ct) => DecideAsync(token, http, s, limiter, ct))
            .WithName("PostApprovalLinkDecision")
            .WithSummary("Records decision=approve|reject|return with comment, once per link.");
        pages.MapGet("/{token}/archive", (string token, HttpContext http, [AsParameters] Services s, CancellationToken ct) => ArchiveAsync(token, http, s, limiter, ct))
            .WithName("GetApprovalLinkArchive")
            .WithSummary("The document's archive PDF while the link is usable; every read is audited.");
        return app;
    }

    /// <summary>Services the link routes need.</summary>
    public sealed record Services(ApprovalLinks Links, ApprovalStore Store, ApprovalDecisions Decisions, DocumentCatalog Catalog, IBlobStore Blobs,
        TimeProvider Clock, ApprovalOptions Options);

    private static async Task<IResult> ShowAsync(string token, HttpContext http, Services s, ApprovalLinkLimiter limiter, CancellationToken ct)
    {
        var (link, refusal) = await CheckAsync(token, http, s, limiter, ct);
        if (refusal is not null) return refusal;
        var document = await s.Catalog.GetAsync(link.Approval!.DocumentId, ct);
        // An access record, not a state change: who opened the document's details through which link, from where.
        await AuditAsync(s, link, "approval-link-viewed", http, ct);
        return ApprovalPageShell.Html(http, StatusCodes.Status200OK, "Đề nghị cho ý kiến về văn bản", DecisionPage.Content(link, document, BasePath(http), token));
    }

    private static async Task<IResult> DecideAsync(string token, HttpContext http, Services s, ApprovalLinkLimiter limiter, CancellationToken ct)
    {
        if (IsCrossSite(http.Request, s.Options)) return RefusalPages.CrossSite(http);
        var (link, refusal) = await CheckAsync(token, http, s, limiter, ct);
        if (refusal is not null) return refusal;

        if (!http.Request.HasFormContentType)
            return RefusalPages.BadForm(http, StatusCodes.Status415UnsupportedMediaType, "Yêu cầu không phải biểu mẫu cho ý kiến.");
        if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size) size.MaxRequestBodySize = MaxFormBytes;
        IFormCollection form;
        try
        {
            form = await http.Request.ReadFormAsync(ct);
        }
        catch (Exception e) when (e is InvalidDataException or BadHttpRequestException or IOException)
        {
            return RefusalPages.BadForm(http, e is BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge } ? StatusCodes.Status413PayloadTooLarge : StatusCodes.Status400BadRequest,
                "Không đọc được nội dung gửi lên (quá lớn hoặc không đúng dạng).");
        }

        var comment = NormaliseComment(form["comment"].Count == 1 ? form["comment"][0] : null);
        var (decision, error) = Validate(form["decision"].Count == 1 ? form["decision"][0] : null, comment);
        if (error is not null)
        {
            var page = await s.Catalog.GetAsync(link.Approval!.DocumentId, ct);
            return ApprovalPageShell.Html(http, StatusCodes.Status400BadRequest, "Đề nghị cho ý kiến về văn bản",
                DecisionPage.Content(link, page, BasePath(http), token, error, comment));
        }

        var claims = link.Claims!;
        // The store decides in one transaction; the check above only spared it work, so a race still ends here as used or superseded.
        var outcome = await s.Decisions.DecideAsync(claims, decision, comment, ApprovalLinkLimiter.ClientAddress(http), ApprovalLinkLimiter.UserAgent(http), ct);
        switch (outcome.Result)
        {
            case DecisionResult.Recorded:
                var document = await s.Catalog.GetAsync(outcome.Approval!.DocumentId, ct);
                return ApprovalPageShell.Html(http, StatusCodes.Status200OK, "Đã ghi nhận ý kiến", DecisionPage.Receipt(outcome, claims, decision, comment, document));
            case DecisionResult.AlreadyUsed:
                return RefusalPages.Used(http, claims, new CheckedLink(LinkUsability.Used, claims, outcome.Approval).OwnDecision);
            case DecisionResult.Superseded:
                return RefusalPages.Superseded(http, claims, outcome.Approval!);
            default:
                return RefusalPages.ForLink(http, new CheckedLink(LinkUsability.Unknown, claims, null));
        }
    }

    private static async Task<IResult> ArchiveAsync(string token, HttpContext http, Services s, ApprovalLinkLimiter limiter, CancellationToken ct)
    {
        // Only while the link can still decide: the approver needs the text to decide, not a lasting copy.
        var (link, refusal) = await CheckAsync(token, http, s, limiter, ct);
        if (refusal is not null) return refusal;
        var document = await s.Catalog.GetAsync(link.Approval!.DocumentId, ct);
        if (document?.ArchiveSha256 is not { } sha256) return RefusalPages.NoArchive(http);
        var stream = await s.Blobs.OpenReadAsync(sha256, ct)
            ?? throw new InvalidOperationException($"Blob {sha256} (archive of {document.Id}) is missing from the blob store.");
        await AuditAsync(s, link, "archive-read-by-link", http, ct);
        ApprovalPageShell.ProtectResponse(http.Response);
        // A generic name: the original file name may carry the document's number or subject into the downloads list.
        http.Response.Headers.ContentDisposition = "inline; filename=\"van-ban.pdf\"";
        // No ranges: a viewer fetching a PDF in pieces would make one read look like dozens in the audit trail.
        return TypedResults.Stream(stream, "application/pdf", enableRangeProcessing: false);
    }

    // The same check for all three routes, with failures counted against the address; genuine links never count.
    private static async Task<(CheckedLink Link, IResult? Refusal)> CheckAsync(string token, HttpContext http, Services s, ApprovalLinkLimiter limiter,
        CancellationToken ct)
    {
        var link = await CheckedLink.CheckAsync(token, s.Links, s.Store, s.Clock.GetUtcNow(), ct);
        if (link.IsFailure && !limiter.TryFail(http.Connection.RemoteIpAddress)) return (link, RefusalPages.TooMany(http));
        return (link, link.Usability == LinkUsability.Usable ? null : RefusalPages.ForLink(http, link));
    }

    /// <summary>
    /// True when a decision was posted from another site: <c>Sec-Fetch-Site: cross-site</c>, or an <c>Origin</c> that
    /// is neither this request's scheme and host nor the configured public address. <c>Origin: null</c> is not
    /// refused: browsers send it for a same-origin form post from a page with <c>Referrer-Policy: no-referrer</c>,
    /// as these pages are, and <c>Sec-Fetch-Site</c> still tells a cross-site post apart.
    /// </summary>
    internal static bool IsCrossSite(HttpRequest request, ApprovalOptions options)
    {
        if (string.Equals(request.Headers["Sec-Fetch-Site"].ToString(), "cross-site", StringComparison.OrdinalIgnoreCase)) return true;
        var origin = request.Headers.Origin.ToString();
        if (origin.Length == 0 || origin == "null") return false;
        if (string.Equals(origin, $"{request.Scheme}://{request.Host.Value}", StringComparison.OrdinalIgnoreCase)) return false;
        return options.PublicBaseUrl is not { } publicUrl
            || !string.Equals(origin, publicUrl.GetLeftPart(UriPartial.Authority), StringComparison.OrdinalIgnoreCase);
    }

    private static async Task AuditAsync(Services s, CheckedLink link, string action, HttpContext http, CancellationToken ct)
    {
        var claims = link.Claims!;
        var detail = JsonSerializer.Serialize(new { approvalId = claims.ApprovalId, step = claims.Step, clientAddress = ApprovalLinkLimiter.ClientAddress(http), userAgent = ApprovalLinkLimiter.UserAgent(http) },
            JsonSerializerOptions.Web);
        await s.Catalog.Audit.AppendAsync(link.Approval!.DocumentId, new AuditEntry(action, claims.Approver, detail), ct);
    }

    // The decision, or why the form cannot be taken (the page says it and keeps what was typed).
    private static (ApprovalDecision Decision, string? Error) Validate(string? decisionText, string? comment)
    {
        if (!ApprovalNames.TryParseDecision(decisionText, out var decision))
            return (decision, "Ý kiến không hợp lệ: hãy chọn Đồng ý, Từ chối hoặc Trả lại để chỉnh sửa.");
        if (comment?.Length > DecisionPage.MaxCommentLength)
            return (decision, $"Nội dung ý kiến dài {comment.Length} ký tự, quá giới hạn {DecisionPage.MaxCommentLength} ký tự. Hãy rút gọn rồi gửi lại.");
        if (decision == ApprovalDecision.Reject && comment is null)
            return (decision, "Khi từ chối, hãy ghi rõ lý do vào ô ý kiến rồi bấm Từ chối lại.");
        return (decision, null);
    }

    // Line breaks unified, outer blanks trimmed and NFC, so a comment reads the same whichever device wrote it; empty means none.
    private static string? NormaliseComment(string? text)
    {
        var trimmed = text?.Replace("\r\n", "\n").Trim();
        return string.IsNullOrEmpty(trimmed) ? null : trimmed.Normalize(System.Text.NormalizationForm.FormC);
    }



    private static string BasePath(HttpContext http) => http.Request.PathBase.Value ?? "";
}
