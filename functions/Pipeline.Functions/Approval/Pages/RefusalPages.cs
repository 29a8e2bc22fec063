using static Pipeline.Functions.Approval.ApprovalPageShell;
using Pipeline.Functions.Links;

namespace Pipeline.Functions.Approval;

/// <summary>
/// The pages that say why a link cannot be used, or why a request was refused, in words an approver can act on. None
/// shows document content: the link no longer (or never did) stand for access to it.
/// </summary>
internal static class RefusalPages
{
    /// <summary>The status and page for a link that is not <see cref="LinkUsability.Usable"/>.</summary>
    public static IResult ForLink(HttpContext context, CheckedLink link) => link.Usability switch
    {
        LinkUsability.Malformed or LinkUsability.Tampered => Html(context, StatusCodes.Status400BadRequest, "Liên kết không hợp lệ",
            Card("Liên kết đã bị thay đổi hoặc không đầy đủ, nên không dùng được.",
                "Chương trình thư đôi khi cắt liên kết dài thành nhiều dòng. Hãy mở lại liên kết từ thư gốc (bấm trực tiếp vào liên kết, không sao chép từng phần); nếu vẫn không được, đề nghị người gửi gửi thư mới.")),
        LinkUsability.Unknown => Html(context, StatusCodes.Status404NotFound, "Không tìm thấy liên kết",
            Card("Hệ thống không có liên kết này (ví dụ: dữ liệu đã được khôi phục từ một bản sao lưu cũ hơn thư).",
                "Đề nghị người gửi gửi lại thư xin ý kiến.")),
        LinkUsability.Expired => Html(context, StatusCodes.Status410Gone, "Liên kết đã hết hạn",
            Card($"Liên kết hết hạn lúc {VietnamTime(link.Claims!.ExpiresAt)}.",
                link.OwnDecision is { } own
                    ? $"Ý kiến của bạn đã được ghi nhận trước đó: {DecisionName(own.Decision)} lúc {VietnamTime(own.At)}."
                    : "Nếu vẫn cần cho ý kiến, hãy liên hệ người gửi để được gửi liên kết mới.")),
        LinkUsability.Used => Used(context, link.Claims!, link.OwnDecision),
        _ => Superseded(context, link.Claims!, link.Approval!),
    };

    /// <summary>409: the link was used already; shows the decision recorded with it (it is the approver's own).</summary>
    public static IResult Used(HttpContext context, LinkClaims claims, DecisionRecord? own)
    {
        var recorded = own is null
            ? "Ý kiến đã được ghi nhận bằng liên kết này."
            : $"Ý kiến đã ghi nhận: {DecisionName(own.Decision)} — lúc {VietnamTime(own.At)}, người cho ý kiến {own.Approver}.";
        var comment = own?.Comment is { Length: > 0 } c ? $"\n<p>Nội dung ý kiến: {Encode(c)}</p>" : "";
        return Html(context, StatusCodes.Status409Conflict, "Liên kết đã được sử dụng", $"""
<section>
<p>{Encode(recorded)}</p>{comment}
<p class="note">Mỗi liên kết chỉ dùng được một lần; ý kiến đã ghi không thay đổi được qua liên kết. Nếu cần điều chỉnh, hãy liên hệ người gửi.</p>
</section>
""");
    }

    /// <summary>410: the link's step or approval ended before it was used; says how, from the stored state.</summary>
    public static IResult Superseded(HttpContext context, LinkClaims claims, ApprovalRecord approval) =>
        Html(context, StatusCodes.Status410Gone, "Liên kết không còn hiệu lực",
            Card(SupersededReason(claims, approval), "Không cần làm gì thêm với thư này. Nếu có thắc mắc, hãy liên hệ người gửi."));

    /// <summary>403: a decision posted from another site.</summary>
    public static IResult CrossSite(HttpContext context) => Html(context, StatusCodes.Status403Forbidden, "Yêu cầu bị từ chối",
        Card("Ý kiến chỉ được gửi từ chính trang xin ý kiến, không từ trang web khác. Chưa có gì được ghi nhận.",
            "Hãy mở lại liên kết trong thư của bạn và cho ý kiến trên trang đó."));

    /// <summary>429 with Retry-After: too many requests from this address.</summary>
    public static IResult TooMany(HttpContext context)
    {
        context.Response.Headers.RetryAfter = LinkLimiter.RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return Html(context, StatusCodes.Status429TooManyRequests, "Quá nhiều yêu cầu",
            Card("Có quá nhiều yêu cầu từ địa chỉ mạng của bạn trong một phút.", "Vui lòng đợi khoảng một phút rồi mở lại liên kết."));
    }

    /// <summary>A request that is not the decision form (wrong content type, too large, unreadable).</summary>
    public static IResult BadForm(HttpContext context, int status, string what) => Html(context, status, "Yêu cầu không hợp lệ",
        Card(what + " Chưa có gì được ghi nhận.", "Hãy mở lại liên kết trong thư và cho ý kiến bằng các nút trên trang."));

    /// <summary>404: the document has no archive PDF to show yet.</summary>
    public static IResult NoArchive(HttpContext context) => Html(context, StatusCodes.Status404NotFound, "Chưa có bản PDF",
        Card("Văn bản chưa có bản PDF để xem.", "Bạn vẫn có thể cho ý kiến trên trang xin ý kiến, hoặc liên hệ người gửi."));

    private static string SupersededReason(LinkClaims claims, ApprovalRecord approval)
    {
        var step = approval.Steps[claims.Step];
        var name = approval.Route.Steps[claims.Step].Name;
        if (approval.Status == ApprovalStatus.Cancelled || step.Status == StepStatus.Cancelled)
            return $"Việc xin ý kiến văn bản đã bị hủy{At(approval.Finished ?? step.Ended)}.";
        // Who else decided, and how, is not for whoever holds an old link (a forwarded mail, a scanner): only that it happened.
        if (step.Status is StepStatus.Approved or StepStatus.Rejected or StepStatus.Returned
            && step.Decisions.LastOrDefault(d => d.Approver != claims.Recipient) is { } other)
        {
            return $"Bước “{name}” đã kết thúc: người khác trong bước đã cho ý kiến lúc {VietnamTime(other.At)}.";
        }
        if (step.Status == StepStatus.Expired) return $"Bước “{name}” đã hết hạn{At(step.Ended)} mà chưa có ý kiến quyết định.";
        if (step.Status.IsFinished()) return $"Bước “{name}” đã kết thúc{At(step.Ended)}.";
        return approval.Status switch
        {
            ApprovalStatus.Approved => $"Việc xin ý kiến đã kết thúc: văn bản đã được phê duyệt{At(approval.Finished)}.",
            ApprovalStatus.Rejected => $"Việc xin ý kiến đã kết thúc: văn bản bị từ chối{At(approval.Finished)}.",
            ApprovalStatus.Returned => $"Việc xin ý kiến đã kết thúc: văn bản được trả lại để chỉnh sửa{At(approval.Finished)}.",
            ApprovalStatus.Expired => $"Việc xin ý kiến đã kết thúc do hết hạn{At(approval.Finished)}.",
            _ => $"Bước “{name}” hiện không nhận ý kiến.",
        };
    }

    private static string At(DateTime? time) => time is { } t ? $" lúc {VietnamTime(t)}" : "";

    // Both texts are plain text; encoded here so callers can pass store values (names, addresses) in them.
    private static string Card(string what, string next) => $"""
<section>
<p>{Encode(what)}</p>
<p class="note">{Encode(next)}</p>
</section>
""";
}
