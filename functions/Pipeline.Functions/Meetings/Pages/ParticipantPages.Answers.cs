using System.Globalization;
using Microsoft.AspNetCore.Http.Features;
using Pipeline.Functions.Links;

namespace Pipeline.Functions.Meetings;

public static partial class ParticipantPages
{
    /// <summary>Largest answer form accepted: a 2,000-character Vietnamese comment percent-encoded is under 20 KB.</summary>
    public const long MaxFormBytes = LinkPage.MaxFormBytes;

    internal static async Task<IResult> AnswerOpinionAsync(string token, string itemText, HttpContext http, Services s, LinkLimiter limiter, CancellationToken ct)
    {
        var (link, item, form, refusal) = await AcceptFormAsync(token, itemText, http, s, limiter, ct);
        if (refusal is not null) return refusal;
        var meeting = link.Meeting!;
        var email = link.Participant!.Email;

        var comment = NormaliseComment(Single(form, "comment"));
        var (answer, error) = ValidateOpinion(Single(form, "answer"), comment);
        if (error is not null)
        {
            // The page again, the reason at the item's form and what was typed put back, so nothing has to be retyped.
            var view = await ViewAsync(link, token, http, s, ct);
            return MeetingPageShell.Html(http, StatusCodes.Status400BadRequest, meeting.Plan.Title,
                ParticipantPage.Render(view, new FormProblem(item!.Number, IsVote: false, error, comment)));
        }

        // The store decides in one transaction (open, before the deadline, once), so a double click ends here as already done.
        var result = await s.Store.AnswerOpinionAsync(meeting.Id, item!.Number, email, answer, comment, LinkLimiter.ClientAddress(http), LinkLimiter.UserAgent(http), ct);
        var request = (await s.Store.OpinionsAsync(meeting.Id, ct)).FirstOrDefault(r => r.Item == item.Number);
        var own = request?.Answers.FirstOrDefault(a => string.Equals(a.Participant, email, StringComparison.OrdinalIgnoreCase));
        var linkPath = LinkPath(http, token);
        return result switch
        {
            MeetingChange.Done => MeetingPageShell.Html(http, StatusCodes.Status200OK, meeting.Plan.Title,
                ParticipantPage.OpinionReceipt(item, request!, answer, comment, own?.At ?? s.Clock.GetUtcNow().UtcDateTime, linkPath)),
            MeetingChange.AlreadyDone => ParticipantRefusals.AlreadyDone(http, own is null
                ? "Đồng chí đã gửi ý kiến về nội dung này."
                : $"Đồng chí đã gửi ý kiến về nội dung này: {MeetingPageShell.AnswerName(own.Answer)} — lúc {MeetingPageShell.VietnamTime(own.At)}."),
            MeetingChange.WrongState => ParticipantRefusals.Closed(http, "Việc lấy ý kiến về nội dung này đã kết thúc (hết hạn hoặc đã đóng)."),
            _ => ParticipantRefusals.NotFound(http, "Không có yêu cầu cho ý kiến về nội dung này."),
        };
    }

    internal static async Task<IResult> CastVoteAsync(string token, string itemText, HttpContext http, Services s, LinkLimiter limiter, CancellationToken ct)
    {
        var (link, item, form, refusal) = await AcceptFormAsync(token, itemText, http, s, limiter, ct);
        if (refusal is not null) return refusal;
        var meeting = link.Meeting!;
        var email = link.Participant!.Email;

        if (!TryParseChoice(Single(form, "choice"), out var choice))
        {
            var view = await ViewAsync(link, token, http, s, ct);
            return MeetingPageShell.Html(http, StatusCodes.Status400BadRequest, meeting.Plan.Title,
                ParticipantPage.Render(view, new FormProblem(item!.Number, IsVote: true, "Lựa chọn không hợp lệ: hãy chọn Tán thành, Không tán thành hoặc Không biểu quyết.", null)));
        }

        // The participant votes for themselves through their own link.
        var result = await s.Store.CastVoteAsync(meeting.Id, item!.Number, email, choice, email, ct, LinkLimiter.ClientAddress(http), LinkLimiter.UserAgent(http));
        var vote = (await s.Store.VotesAsync(meeting.Id, ct)).FirstOrDefault(v => v.Item == item.Number);
        var own = vote?.Votes.FirstOrDefault(v => string.Equals(v.Participant, email, StringComparison.OrdinalIgnoreCase));
        return result switch
        {
            MeetingChange.Done => MeetingPageShell.Html(http, StatusCodes.Status200OK, meeting.Plan.Title,
                ParticipantPage.VoteReceipt(item, vote?.Secret ?? true, choice, own?.At ?? s.Clock.GetUtcNow().UtcDateTime, LinkPath(http, token))),
            // A secret vote's choice is not repeated, not even to the voter: the page may be seen by someone else.
            MeetingChange.AlreadyDone => ParticipantRefusals.AlreadyDone(http, own is null
                ? "Đồng chí đã biểu quyết về nội dung này."
                : $"Đồng chí đã biểu quyết về nội dung này lúc {MeetingPageShell.VietnamTime(own.At)}"
                  + (vote!.Secret ? "." : $": {MeetingPageShell.ChoiceName(own.Choice)}.")),
            MeetingChange.WrongState => ParticipantRefusals.Closed(http, "Biểu quyết về nội dung này đã kết thúc hoặc chưa mở."),
            _ => ParticipantRefusals.NotFound(http, "Không có biểu quyết nào về nội dung này."),
        };
    }

    // What both answer routes check before reading the answer: same site, a usable link, an item the participant may see, a readable form.
    private static async Task<(ParticipantLink Link, AgendaItem? Item, IFormCollection Form, IResult? Refusal)> AcceptFormAsync(string token, string itemText,
        HttpContext http, Services s, LinkLimiter limiter, CancellationToken ct)
    {
        var none = FormCollection.Empty;
        if (PublicRequest.IsCrossSite(http.Request, s.Options.PublicBaseUrl)) return (null!, null, none, ParticipantRefusals.CrossSite(http));
        var (link, refusal) = await CheckAsync(token, http, s, limiter, ct);
        if (refusal is not null) return (link, null, none, refusal);

        // An item the participant may not see answers exactly like one that does not exist.
        var item = int.TryParse(itemText, NumberStyles.None, CultureInfo.InvariantCulture, out var number)
            ? link.Meeting!.Plan.Agenda.FirstOrDefault(i => i.Number == number && i.VisibleTo(link.Participant!.Email))
            : null;
        if (item is null) return (link, null, none, ParticipantRefusals.NotFound(http, "Không có nội dung này trong chương trình họp của đồng chí."));

        if (!http.Request.HasFormContentType)
            return (link, item, none, ParticipantRefusals.BadForm(http, StatusCodes.Status415UnsupportedMediaType, "Yêu cầu không phải biểu mẫu trên trang cuộc họp."));
        if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size) size.MaxRequestBodySize = MaxFormBytes;
        try
        {
            return (link, item, await http.Request.ReadFormAsync(ct), null);
        }
        catch (Exception e) when (e is InvalidDataException or BadHttpRequestException or IOException)
        {
            return (link, item, none, ParticipantRefusals.BadForm(http,
                e is BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge } ? StatusCodes.Status413PayloadTooLarge : StatusCodes.Status400BadRequest,
                "Không đọc được nội dung gửi lên (quá lớn hoặc không đúng dạng)."));
        }
    }

    // The answer, or why the form cannot be taken (the page says it and keeps what was typed).
    private static (OpinionAnswer Answer, string? Error) ValidateOpinion(string? answerText, string? comment)
    {
        OpinionAnswer? answer = answerText?.ToLowerInvariant() switch
        {
            "agree" => OpinionAnswer.Agree,
            "disagree" => OpinionAnswer.Disagree,
            "other" => OpinionAnswer.Other,
            _ => null,
        };
        if (answer is not { } chosen) return (default, "Ý kiến không hợp lệ: hãy chọn Đồng ý, Không đồng ý hoặc Ý kiến khác.");
        if (comment?.Length > ParticipantPage.MaxCommentLength)
            return (chosen, $"Nội dung ý kiến dài {comment.Length} ký tự, quá giới hạn {ParticipantPage.MaxCommentLength} ký tự. Hãy rút gọn rồi gửi lại.");
        if (chosen == OpinionAnswer.Other && comment is null)
            return (chosen, "Khi chọn “Ý kiến khác”, hãy ghi nội dung ý kiến vào ô rồi bấm lại.");
        return (chosen, null);
    }

    private static bool TryParseChoice(string? text, out VoteChoice choice)
    {
        VoteChoice? parsed = text?.ToLowerInvariant() switch
        {
            "yes" => VoteChoice.Yes,
            "no" => VoteChoice.No,
            "abstain" => VoteChoice.Abstain,
            _ => null,
        };
        choice = parsed ?? default;
        return parsed is not null;
    }

    // A field sent once; a repeated field is ambiguous and counts as missing.
    private static string? Single(IFormCollection form, string name) => form[name].Count == 1 ? form[name][0] : null;

    // Line breaks unified, outer blanks trimmed and NFC, so a comment reads the same whichever device wrote it; empty means none.
    private static string? NormaliseComment(string? text)
    {
        var trimmed = text?.Replace("\r\n", "\n").Trim();
        return string.IsNullOrEmpty(trimmed) ? null : trimmed.Normalize(System.Text.NormalizationForm.FormC);
    }

    private static string LinkPath(HttpContext http, string token) => $"{http.Request.PathBase.Value}/meetings/{Uri.EscapeDataString(token)}";
}
