using System.Globalization;
using System.Text;
using Pipeline.Functions.Documents;
using Pipeline.Functions.Extraction;
using static Pipeline.Functions.Approval.ApprovalPageShell;
using Pipeline.Functions.Links;

namespace Pipeline.Functions.Approval;

/// <summary>
/// The markup of the page a usable link shows (the document, the step, the decision form) and of the receipt after a
/// decision. Every value from the store or the caller goes through <see cref="ApprovalPageShell.Encode"/>.
/// </summary>
internal static class DecisionPage
{
    /// <summary>Longest comment accepted, in characters.</summary>
    public const int MaxCommentLength = 2000;

    /// <summary>
    /// The decision page for <paramref name="link"/> (usable). <paramref name="error"/> is shown above the form and
    /// <paramref name="comment"/> put back into it, when a posted decision was refused.
    /// </summary>
    public static string Content(CheckedLink link, DocumentRecord? document, string basePath, string token, string? error = null, string? comment = null)
    {
        var claims = link.Claims!;
        var approval = link.Approval!;
        var html = new StringBuilder();
        html.Append(DocumentSection(document, $"{basePath}/approvals/{Uri.EscapeDataString(token)}/archive"));
        html.Append(StepSection(approval, claims));
        if (error is not null) html.Append($"""<section class="error" role="alert"><h2>Chưa ghi nhận ý kiến</h2><p>{Encode(error)}</p></section>""").Append('\n');
        html.Append($"""
<section>
<h2>Cho ý kiến</h2>
<form method="post" action="{Encode($"{basePath}/approvals/{Uri.EscapeDataString(token)}")}">
<label for="comment">Ý kiến, nội dung cần chỉnh sửa (bắt buộc khi từ chối)</label>
<textarea id="comment" name="comment" maxlength="{MaxCommentLength}">{Encode(comment)}</textarea>
<div class="buttons">
<button type="submit" name="decision" value="approve" class="approve">Đồng ý</button>
<button type="submit" name="decision" value="reject" class="reject">Từ chối</button>
<button type="submit" name="decision" value="return" class="return">Trả lại để chỉnh sửa</button>
</div>
<p class="note">Liên kết chỉ dùng được một lần và chỉ dành cho {Encode(claims.Recipient)}: ý kiến đã gửi không sửa được qua liên kết này. Không chuyển tiếp thư.</p>
</form>
</section>
""");
        return html.ToString();
    }

    /// <summary>The receipt after <paramref name="decision"/> was recorded; says what happens next from <paramref name="outcome"/>.</summary>
    public static string Receipt(DecisionOutcome outcome, LinkClaims claims, ApprovalDecision decision, string? comment, DocumentRecord? document)
    {
        var approval = outcome.Approval!;
        var at = approval.Steps[claims.Step].Decisions.LastOrDefault(d => d.Approver == claims.Recipient)?.At;
        var fields = DocumentFields.Parse(document?.FieldsJson);
        var what = string.Join(" ", new[] { fields?.Value("type"), fields?.Value("code") }.Where(v => !string.IsNullOrWhiteSpace(v)));
        return $"""
<section class="done" role="status">
<h2>Đã ghi nhận ý kiến: {DecisionName(decision)}</h2>
<dl>
{Row("Văn bản", what.Length > 0 ? Encode(what) : null)}{Row("Bước", Encode(StepLabel(approval, claims.Step)))}{Row("Người cho ý kiến", Encode(claims.Recipient))}{Row("Thời điểm", at is { } t ? Encode(VietnamTime(t)) : null)}{Row("Nội dung ý kiến", comment is null ? null : Multiline(comment))}</dl>
</section>
<section>
<h2>Tiếp theo</h2>
<p>{Encode(NextStep(approval, claims.Step, outcome.StepOutcome))}</p>
<p class="note">Liên kết này đã được dùng và không còn nhận ý kiến. Bạn có thể đóng trang.</p>
</section>
""";
    }

    /// <summary>The step's name with its position, e.g. <c>Chánh Văn phòng (bước 1/2)</c>.</summary>
    public static string StepLabel(ApprovalRecord approval, int step) =>
        $"{approval.Route.Steps[step].Name} (bước {step + 1}/{approval.Route.Steps.Count})";

    private static string NextStep(ApprovalRecord approval, int step, StepStatus? ended)
    {
        var steps = approval.Route.Steps;
        return ended switch
        {
            null => $"Bước “{steps[step].Name}” cần ý kiến đồng ý của tất cả người duyệt; văn bản đang chờ ý kiến của những người còn lại.",
            StepStatus.Approved when step + 1 < steps.Count => $"Bước “{steps[step].Name}” đã kết thúc; văn bản được chuyển sang bước tiếp theo: “{steps[step + 1].Name}”.",
            StepStatus.Approved => "Đây là bước cuối cùng: văn bản đã được phê duyệt.",
            StepStatus.Rejected => "Văn bản bị từ chối; việc xin ý kiến kết thúc và các liên kết còn lại hết hiệu lực.",
            _ => "Văn bản được trả lại để chỉnh sửa; việc xin ý kiến kết thúc và các liên kết còn lại hết hiệu lực.",
        };
    }

    private static string DocumentSection(DocumentRecord? document, string archivePath)
    {
        if (document is null) return "<section><h2>Văn bản</h2><p>Không đọc được thông tin văn bản.</p></section>\n";
        var fields = DocumentFields.Parse(document.FieldsJson);
        var secrecy = document.Secrecy.IsSecret()
            ? Row("Độ mật", $"""<span class="secret">{document.Secrecy.Marking()}</span>""")
            : "";
        var view = document.ArchiveSha256 is null
            ? """<p class="note">Bản PDF của văn bản chưa sẵn sàng.</p>"""
            : $"""<a class="view" href="{Encode(archivePath)}" target="_blank" rel="noopener noreferrer">Xem văn bản (PDF)</a>""";
        var secretNote = document.Secrecy.IsSecret()
            ? """<p class="note">Văn bản mật: chỉ người có tên trong thư được xem; mọi lần xem đều được ghi lại. Không chuyển tiếp thư, không in hay sao chép khi chưa được phép.</p>"""
            : "";
        return $"""
<section>
<h2>Văn bản</h2>
<dl>
{Row("Loại văn bản", Field(fields, "type"))}{Row("Số, ký hiệu", Field(fields, "code"))}{Row("Ngày ban hành", Date(fields?.Value("date")))}{Row("Cơ quan ban hành", Field(fields, "issuer"))}{Row("Trích yếu", Field(fields, "summary"))}{secrecy}{Row("Số trang", document.Pages?.ToString(CultureInfo.InvariantCulture))}</dl>
{view}
{secretNote}
</section>

""";
    }

    private static string StepSection(ApprovalRecord approval, LinkClaims claims)
    {
        var step = approval.Route.Steps[claims.Step];
        var mode = step.Mode == ApprovalMode.Any
            ? "Ý kiến đầu tiên của một người duyệt quyết định bước này"
            : "Cần tất cả người duyệt đồng ý; một ý kiến từ chối hoặc trả lại quyết định ngay";
        var due = approval.Steps[claims.Step].DueAt;
        return $"""
<section>
<h2>Bước xin ý kiến</h2>
<dl>
{Row("Bước", Encode(StepLabel(approval, claims.Step)))}{Row("Cách quyết định", Encode(mode))}{Row("Hạn cho ý kiến", due is { } d ? Encode(VietnamTime(d)) : null)}{Row("Liên kết hết hạn", Encode(VietnamTime(claims.ExpiresAt)))}{Row("Gửi tới", Encode(claims.Recipient))}</dl>
</section>

""";
    }

    // A definition row; a missing value shows as a dash rather than vanishing, so the reader sees it is unknown.
    private static string Row(string term, string? markup) => $"<dt>{term}</dt><dd>{(string.IsNullOrWhiteSpace(markup) ? "—" : markup)}</dd>\n";

    private static string? Field(DocumentFields? fields, string name) => fields?.Value(name) is { } value ? Multiline(value) : null;

    // Multi-line values (issuer: body above the issuing unit) keep their lines.
    private static string Multiline(string text) => Encode(text.Trim()).Replace("\r\n", "\n").Replace("\n", "<br>");

    private static string? Date(string? iso) =>
        DateOnly.TryParseExact(iso, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date)
            ? date.ToString("dd/MM/yyyy", CultureInfo.InvariantCulture)
            : iso is null ? null : Encode(iso);
}
