using System.Text;
using Pipeline.Functions.Documents;
using Pipeline.Functions.Extraction;
using static Pipeline.Functions.Meetings.MeetingPageShell;

namespace Pipeline.Functions.Meetings;

/// <summary>What one participant's page is made from, read once per request.</summary>
/// <param name="Meeting">The meeting.</param>
/// <param name="Participant">Whose page it is.</param>
/// <param name="Packs">Every pack version, oldest first.</param>
/// <param name="Opinions">Every opinion request (the page shows only those on items the participant may see).</param>
/// <param name="Votes">Every vote (likewise).</param>
/// <param name="Documents">The documents of the items the participant may see, by id; null when missing from the catalog.</param>
/// <param name="Now">The time the page is for (open or past deadlines).</param>
/// <param name="LinkPath">The page's own path, <c>…/meetings/{token}</c>, escaped.</param>
internal sealed record ParticipantView(MeetingRecord Meeting, MeetingParticipant Participant, IReadOnlyList<PackVersionRecord> Packs,
    IReadOnlyList<OpinionRequestRecord> Opinions, IReadOnlyList<VoteRecord> Votes, IReadOnlyDictionary<string, DocumentRecord?> Documents,
    DateTime Now, string LinkPath)
{
    /// <summary>The items the participant may see, in agenda order.</summary>
    public IEnumerable<AgendaItem> Visible => Meeting.Plan.Agenda.Where(i => i.VisibleTo(Participant.Email));
}

/// <summary>Why a posted answer was not taken: shown beside its form, with what was typed put back.</summary>
internal sealed record FormProblem(int Item, bool IsVote, string Message, string? Comment);

/// <summary>
/// The markup of a participant's page (the meeting, what awaits their answer, the pack, the agenda items they may see)
/// and of the receipts after an answer. Every value from the store or the caller goes through <see cref="MeetingPageShell.Encode"/>.
/// </summary>
internal static class ParticipantPage
{
    /// <summary>Longest opinion comment accepted, in characters.</summary>
    public const int MaxCommentLength = 2000;

    /// <summary>The page; <paramref name="problem"/> is shown at its form when a posted answer was refused.</summary>
    public static string Render(ParticipantView view, FormProblem? problem = null)
    {
        var html = new StringBuilder();
        html.Append(MeetingSection(view.Meeting, view.Participant));
        html.Append(VotesSection(view, problem is { IsVote: true } ? problem : null));
        html.Append(OpinionsSection(view, problem is { IsVote: false } ? problem : null));
        html.Append(PackSection(view));
        html.Append(AgendaSection(view));
        return html.ToString();
    }

    /// <summary>The receipt after an opinion was recorded.</summary>
    public static string OpinionReceipt(AgendaItem item, OpinionRequestRecord request, OpinionAnswer answer, string? comment, DateTime at, string linkPath) => $"""
<section class="done" role="status">
<h2>Đã ghi nhận ý kiến: {AnswerName(answer)}</h2>
<dl>
{Row("Nội dung", Encode($"{item.Number}. {item.Title}"))}{Row("Câu hỏi", Multiline(request.Question))}{Row("Thời điểm", Encode(VietnamTime(at)))}{Row("Nội dung ý kiến", comment is null ? null : Multiline(comment))}</dl>
</section>
{BackLink(linkPath)}
""";

    /// <summary>The receipt after a vote was recorded; a secret vote's choice is not repeated (the page may be seen by others).</summary>
    public static string VoteReceipt(AgendaItem item, bool secret, VoteChoice choice, DateTime at, string linkPath) => $"""
<section class="done" role="status">
<h2>Đã ghi nhận biểu quyết</h2>
<dl>
{Row("Nội dung", Encode($"{item.Number}. {item.Title}"))}{Row("Lựa chọn", secret ? "Biểu quyết kín: lựa chọn được giữ kín." : ChoiceName(choice))}{Row("Thời điểm", Encode(VietnamTime(at)))}</dl>
</section>
{BackLink(linkPath)}
""";

    private static string BackLink(string linkPath) => $"""<section><p><a href="{Encode(linkPath)}">Về trang cuộc họp</a></p></section>""";

    private static string MeetingSection(MeetingRecord meeting, MeetingParticipant participant)
    {
        var plan = meeting.Plan;
        var who = participant.Name is null ? Encode(participant.Email) : $"{Encode(participant.Name)} ({Encode(participant.Email)})";
        return $"""
<section>
<h2>Cuộc họp</h2>
<dl>
{Row("Thời gian", Encode(VietnamTime(plan.StartsAt)))}{Row("Địa điểm", Encode(plan.Place))}{Row("Chủ trì", Encode(plan.Chair))}{Row("Tình trạng", StatusName(meeting.Status))}{Row("Đại biểu", who)}</dl>
<p class="note">Trang này chỉ dành cho đồng chí; mọi lần xem đều được ghi lại. Không chuyển tiếp thư mời họp.</p>
</section>

""";
    }

    private static string VotesSection(ParticipantView view, FormProblem? problem)
    {
        var items = view.Visible.ToDictionary(i => i.Number);
        var votes = view.Votes.Where(v => items.ContainsKey(v.Item)).ToList();
        if (votes.Count == 0) return "";
        var html = new StringBuilder("<section>\n<h2>Biểu quyết</h2>\n");
        foreach (var vote in votes)
        {
            var item = items[vote.Item];
            var own = vote.Votes.FirstOrDefault(v => string.Equals(v.Participant, view.Participant.Email, StringComparison.OrdinalIgnoreCase));
            html.Append($"<article>\n<h3>{Encode($"Nội dung {item.Number}. {item.Title}")}</h3>\n");
            html.Append($"""<p class="note">{(vote.Secret ? "Biểu quyết kín: chỉ công bố kết quả chung." : "Biểu quyết công khai.")}</p>""").Append('\n');
            if (own is not null)
                html.Append($"""<p>Đồng chí đã biểu quyết lúc {Encode(VietnamTime(own.At))}{(vote.Secret ? "." : $": <strong>{ChoiceName(own.Choice)}</strong>.")}</p>""").Append('\n');
            else if (!vote.Open || view.Meeting.Status != MeetingStatus.InSession)
                html.Append("<p>Biểu quyết đã kết thúc; đồng chí không biểu quyết.</p>\n");
            else
            {
                if (problem?.Item == item.Number) html.Append(Problem(problem.Message));
                html.Append($"""
<form method="post" action="{Encode($"{view.LinkPath}/votes/{item.Number}")}">
<div class="buttons">
<button type="submit" name="choice" value="yes" class="yes">Tán thành</button>
<button type="submit" name="choice" value="no" class="no">Không tán thành</button>
<button type="submit" name="choice" value="abstain" class="other">Không biểu quyết</button>
</div>
</form>

""");
            }
            html.Append("</article>\n");
        }
        return html.Append("</section>\n\n").ToString();
    }

    private static string OpinionsSection(ParticipantView view, FormProblem? problem)
    {
        var items = view.Visible.ToDictionary(i => i.Number);
        var requests = view.Opinions.Where(r => items.ContainsKey(r.Item)).ToList();
        if (requests.Count == 0) return "";
        var html = new StringBuilder("<section>\n<h2>Xin ý kiến bằng văn bản</h2>\n");
        foreach (var request in requests)
        {
            var item = items[request.Item];
            var own = request.Answers.FirstOrDefault(a => string.Equals(a.Participant, view.Participant.Email, StringComparison.OrdinalIgnoreCase));
            html.Append($"""
<article>
<h3>{Encode($"Nội dung {item.Number}. {item.Title}")}</h3>
<p>{Multiline(request.Question)}</p>
<dl>
{Row("Hạn cho ý kiến", Encode(VietnamTime(request.Deadline)))}</dl>

""");
            if (own is not null)
            {
                html.Append($"""<p>Ý kiến của đồng chí: <strong>{AnswerName(own.Answer)}</strong> — lúc {Encode(VietnamTime(own.At))}.</p>""").Append('\n');
                if (own.Comment is { Length: > 0 } comment) html.Append($"<p>{Multiline(comment)}</p>\n");
            }
            else if (request.Closed || view.Now >= request.Deadline)
                html.Append("<p>Đã hết hạn cho ý kiến; đồng chí chưa gửi ý kiến.</p>\n");
            else
            {
                var mine = problem?.Item == item.Number ? problem : null;
                if (mine is not null) html.Append(Problem(mine.Message));
                html.Append($"""
<form method="post" action="{Encode($"{view.LinkPath}/opinions/{item.Number}")}">
<label for="comment-{item.Number}">Nội dung ý kiến (bắt buộc khi chọn “Ý kiến khác”)</label>
<textarea id="comment-{item.Number}" name="comment" maxlength="{MaxCommentLength}">{Encode(mine?.Comment)}</textarea>
<div class="buttons">
<button type="submit" name="answer" value="agree" class="yes">Đồng ý</button>
<button type="submit" name="answer" value="disagree" class="no">Không đồng ý</button>
<button type="submit" name="answer" value="other" class="other">Ý kiến khác</button>
</div>
<p class="note">Mỗi nội dung chỉ gửi ý kiến được một lần.</p>
</form>

""");
            }
            html.Append("</article>\n");
        }
        return html.Append("</section>\n\n").ToString();
    }

    private static string PackSection(ParticipantView view)
    {
        var current = view.Packs.FirstOrDefault(p => p.Version == view.Meeting.PackVersion);
        if (current is null) return "<section>\n<h2>Tài liệu họp</h2>\n<p>Tài liệu họp đang được chuẩn bị.</p>\n</section>\n\n";
        var html = new StringBuilder($"""
<section>
<h2>Tài liệu họp</h2>
<p><a href="{Encode($"{view.LinkPath}/pack")}" target="_blank" rel="noopener noreferrer">Tài liệu họp — bản {current.Version} (PDF)</a></p>

""");
        var earlier = view.Packs.Where(p => p.Version != current.Version).OrderByDescending(p => p.Version).ToList();
        if (earlier.Count > 0)
        {
            html.Append("<ul>\n");
            foreach (var pack in earlier)
                html.Append($"""<li class="old"><a href="{Encode($"{view.LinkPath}/pack?version={pack.Version}")}" target="_blank" rel="noopener noreferrer">Bản {pack.Version}</a> — đã được thay thế</li>""").Append('\n');
            html.Append("</ul>\n");
        }
        return html.Append("""
<p class="note">Bản của đồng chí chỉ gồm các nội dung đồng chí được xem và mang tên đồng chí trên từng trang. Không chuyển tiếp, không in sao khi chưa được phép.</p>
</section>


""").ToString();
    }

    private static string AgendaSection(ParticipantView view)
    {
        var html = new StringBuilder("<section>\n<h2>Chương trình họp</h2>\n");
        var any = false;
        foreach (var item in view.Visible)
        {
            any = true;
            var documents = item.DocumentIds.Count == 0 ? null : "<ul>" + string.Concat(item.DocumentIds.Select(id => DocumentLink(view, id))) + "</ul>";
            var conclusion = view.Meeting.Session.Conclusions.TryGetValue(item.Number, out var text) ? Multiline(text) : null;
            html.Append($"""
<article>
<h3>{Encode($"Nội dung {item.Number}. {item.Title}")}</h3>
<dl>
{Row("Trình bày", Encode(item.Presenter))}{(item.ForInformation is { } reason ? Row("Để biết", Encode(reason)) : "")}{Row("Tài liệu", documents)}{(conclusion is null ? "" : Row("Kết luận", conclusion))}</dl>
</article>

""");
        }
        if (!any) html.Append("<p>Chưa có nội dung nào dành cho đồng chí.</p>\n");
        return html.Append("</section>\n").ToString();
    }

    private static string DocumentLink(ParticipantView view, string id)
    {
        var document = view.Documents.GetValueOrDefault(id);
        if (document is null) return "<li>Tài liệu (không đọc được thông tin)</li>";
        var secret = document.Secrecy.IsSecret() ? $""" <span class="secret">{document.Secrecy.Marking()}</span>""" : "";
        var label = Encode(Label(document));
        return document.ArchiveSha256 is null
            ? $"<li>{label}{secret} (chưa có bản PDF)</li>"
            : $"""<li><a href="{Encode($"{view.LinkPath}/documents/{Uri.EscapeDataString(id)}")}" target="_blank" rel="noopener noreferrer">{label}</a>{secret}</li>""";
    }

    // "Tờ trình 12/TTr-VP — Về việc …", from the fields as read or corrected; the file name when nothing was read.
    private static string Label(DocumentRecord document)
    {
        var fields = DocumentFields.Parse(document.FieldsJson);
        var head = string.Join(' ', new[] { fields?.Value("type"), fields?.Value("code") }.Where(v => !string.IsNullOrWhiteSpace(v)));
        var summary = fields?.Value("summary");
        return head.Length == 0 ? document.FileName : string.IsNullOrWhiteSpace(summary) ? head : $"{head} — {summary}";
    }

    private static string Problem(string message) => $"""<p class="error" role="alert"><strong>Chưa ghi nhận:</strong> {Encode(message)}</p>""" + "\n";

    private static string StatusName(MeetingStatus status) => status switch
    {
        MeetingStatus.Published => "Đã gửi giấy mời, chưa họp",
        MeetingStatus.InSession => "Đang họp",
        MeetingStatus.Concluded => "Đã họp xong",
        MeetingStatus.Archived => "Đã lưu trữ",
        _ => "Đang chuẩn bị",
    };
}
