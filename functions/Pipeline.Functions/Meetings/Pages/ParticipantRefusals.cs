using System.Globalization;
using Pipeline.Functions.Links;
using static Pipeline.Functions.Meetings.MeetingPageShell;

namespace Pipeline.Functions.Meetings;

/// <summary>
/// The pages that say why a participant's request cannot be served, in words a participant can act on. None shows
/// meeting content beyond what the request itself named.
/// </summary>
internal static class ParticipantRefusals
{
    /// <summary>The status and page for a link that is not <see cref="ParticipantLinkState.Usable"/>.</summary>
    public static IResult ForLink(HttpContext context, ParticipantLink link) => link.State switch
    {
        ParticipantLinkState.Malformed or ParticipantLinkState.Tampered => Html(context, StatusCodes.Status400BadRequest, "Liên kết không hợp lệ",
            Card("Liên kết đã bị thay đổi hoặc không đầy đủ, nên không dùng được.",
                "Chương trình thư đôi khi cắt liên kết dài thành nhiều dòng. Hãy mở lại liên kết từ thư mời họp (bấm trực tiếp vào liên kết); nếu vẫn không được, đề nghị văn phòng gửi lại thư.")),
        ParticipantLinkState.Unknown => Html(context, StatusCodes.Status404NotFound, "Không tìm thấy liên kết",
            Card("Hệ thống không có liên kết này (ví dụ: dữ liệu đã được khôi phục từ một bản sao lưu cũ hơn thư).", "Đề nghị văn phòng gửi lại thư mời họp.")),
        ParticipantLinkState.Expired => Html(context, StatusCodes.Status410Gone, "Liên kết đã hết hạn",
            Card($"Liên kết hết hạn lúc {VietnamTime(link.Claims!.ExpiresAt.UtcDateTime)}.", "Nếu vẫn cần xem tài liệu họp, hãy liên hệ văn phòng.")),
        ParticipantLinkState.Archived => Html(context, StatusCodes.Status410Gone, "Cuộc họp đã kết thúc",
            Card("Cuộc họp đã kết thúc và biên bản đã được lưu trữ, nên liên kết không còn dùng được.",
                "Nếu cần xem biên bản hoặc tài liệu họp, hãy liên hệ văn phòng.")),
        _ => Html(context, StatusCodes.Status410Gone, "Liên kết không còn hiệu lực",
            Card("Đồng chí không còn trong danh sách đại biểu của cuộc họp này, nên liên kết không còn dùng được.", "Nếu có nhầm lẫn, hãy liên hệ văn phòng.")),
    };

    /// <summary>404: something the participant asked for through a usable link does not exist for them.</summary>
    public static IResult NotFound(HttpContext context, string what) => Html(context, StatusCodes.Status404NotFound, "Không tìm thấy",
        Card(what, "Hãy mở lại trang cuộc họp từ liên kết trong thư."));

    /// <summary>403: a document of an item restricted to named participants; the refusal is recorded.</summary>
    public static IResult Restricted(HttpContext context) => Html(context, StatusCodes.Status403Forbidden, "Không được phép xem",
        Card("Tài liệu này thuộc nội dung chỉ dành cho các đại biểu có tên. Lần truy cập này đã được ghi lại.",
            "Nếu đồng chí cần xem, hãy liên hệ văn phòng."));

    /// <summary>409: answered (or voted) already; what was recorded stays.</summary>
    public static IResult AlreadyDone(HttpContext context, string what) => Html(context, StatusCodes.Status409Conflict, "Đã ghi nhận trước đó",
        Card(what, "Ý kiến đã ghi không thay đổi được qua liên kết. Nếu cần điều chỉnh, hãy liên hệ văn phòng."));

    /// <summary>410: the request or vote no longer takes answers.</summary>
    public static IResult Closed(HttpContext context, string what) => Html(context, StatusCodes.Status410Gone, "Đã kết thúc",
        Card(what + " Chưa có gì được ghi nhận.", "Nếu có thắc mắc, hãy liên hệ văn phòng."));

    /// <summary>403: an answer posted from another site.</summary>
    public static IResult CrossSite(HttpContext context) => Html(context, StatusCodes.Status403Forbidden, "Yêu cầu bị từ chối",
        Card("Ý kiến chỉ được gửi từ chính trang cuộc họp, không từ trang web khác. Chưa có gì được ghi nhận.",
            "Hãy mở lại liên kết trong thư của đồng chí và gửi trên trang đó."));

    /// <summary>A request that is not a usable form (wrong content type, too large, unreadable, bad value).</summary>
    public static IResult BadForm(HttpContext context, int status, string what) => Html(context, status, "Yêu cầu không hợp lệ",
        Card(what + " Chưa có gì được ghi nhận.", "Hãy mở lại liên kết trong thư và gửi bằng các nút trên trang."));

    /// <summary>429 with Retry-After: too many requests from this address.</summary>
    public static IResult TooMany(HttpContext context)
    {
        context.Response.Headers.RetryAfter = LinkLimiter.RetryAfterSeconds.ToString(CultureInfo.InvariantCulture);
        return Html(context, StatusCodes.Status429TooManyRequests, "Quá nhiều yêu cầu",
            Card("Có quá nhiều yêu cầu từ địa chỉ mạng của đồng chí trong một phút.", "Vui lòng đợi khoảng một phút rồi mở lại liên kết."));
    }
}
