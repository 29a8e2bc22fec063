using System.Net;
using System.Text;
using System.Text.Json;
using Pipeline.Functions.Tests.Approval;
using Pipeline.Functions.Tests.Documents;

namespace Pipeline.Functions.Tests.Meetings;

/// <summary>Meetings as the secretary's system drives them over HTTP, and the approved documents they need.</summary>
public static class MeetingHttp
{
    /// <summary>Digitises corpus documents and approves each through a one-step approval decided from its mailed link; returns their ids.</summary>
    public static async Task<IReadOnlyList<string>> ApprovedAsync(this HttpClient client, HttpClient browser, string dataDirectory, params string[] corpusDocuments)
    {
        var ids = await client.DigitisedAsync(corpusDocuments);
        foreach (var id in ids)
        {
            var approver = $"approver-{id}@vp.vn";
            var approvalId = await client.RequestApprovalAsync(id, $$"""{"steps":[{"name":"Chánh Văn phòng","approvers":["{{approver}}"],"mode":"any","due":"P2D"}]}""");
            var mails = await ApprovalHttp.WaitForOutboxAsync(dataDirectory, m => m.To(approver).Count == 1);
            using var decided = await browser.DecideAsync(mails.LinkFor(approver), "approve");
            Assert.True(decided.StatusCode == HttpStatusCode.OK, $"deciding {id} answered {(int)decided.StatusCode}: {await decided.Content.ReadAsStringAsync()}");
            await client.WaitForApprovalAsync(approvalId, a => a.GetProperty("status").GetString() == "Approved");
        }
        return ids;
    }

    /// <summary>POST /api/meetings/... with a JSON body.</summary>
    public static Task<HttpResponseMessage> SendJsonAsync(this HttpClient client, HttpMethod method, string path, string json) =>
        client.SendAsync(new HttpRequestMessage(method, path) { Content = new StringContent(json, Encoding.UTF8, "application/json") });

    /// <summary>Sends and asserts the status; returns the body as JSON.</summary>
    public static async Task<JsonElement> ExpectAsync(this HttpClient client, HttpMethod method, string path, string json, HttpStatusCode expected)
    {
        using var response = await client.SendJsonAsync(method, path, json);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected, $"{method} {path} answered {(int)response.StatusCode}, expected {(int)expected}: {body}");
        return body.Length == 0 ? default : JsonDocument.Parse(body).RootElement.Clone();
    }

    /// <summary>GET /api/meetings/{id}.</summary>
    public static async Task<JsonElement> GetMeetingAsync(this HttpClient client, string id) =>
        JsonDocument.Parse(await client.GetStringAsync($"/api/meetings/{id}")).RootElement.Clone();

    /// <summary>GET /api/meetings: the default office's meetings.</summary>
    public static async Task<IReadOnlyList<JsonElement>> GetMeetingListAsync(this HttpClient client) =>
        [.. JsonDocument.Parse(await client.GetStringAsync("/api/meetings")).RootElement.GetProperty("meetings").EnumerateArray().Select(e => e.Clone())];

    /// <summary>Polls the meeting until <paramref name="done"/> holds.</summary>
    public static async Task<JsonElement> WaitForMeetingAsync(this HttpClient client, string id, Func<JsonElement, bool> done, TimeSpan? timeout = null)
    {
        var until = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(60));
        while (true)
        {
            var meeting = await client.GetMeetingAsync(id);
            if (done(meeting)) return meeting;
            if (DateTime.UtcNow > until) throw new TimeoutException($"Meeting {id} did not get there: {meeting}");
            await Task.Delay(100);
        }
    }

    /// <summary>The meeting's audit trail actions.</summary>
    public static async Task<IReadOnlyList<JsonElement>> MeetingAuditAsync(this HttpClient client, string id) =>
        [.. JsonDocument.Parse(await client.GetStringAsync($"/api/meetings/{id}/audit")).RootElement.EnumerateArray().Select(e => e.Clone())];

    /// <summary>
    /// The meeting link in a mail's text part, as a path on the app (<c>/meetings/{token}</c>): the tests send it to the
    /// host they started, whatever base address the mail carries.
    /// </summary>
    public static string MeetingLinkIn(string text)
    {
        var link = new Uri(text.Split('\n').Select(l => l.Trim()).Single(l => l.Contains("/meetings/", StringComparison.Ordinal)));
        Assert.Matches("^/meetings/[^/]+$", link.AbsolutePath);
        return link.PathAndQuery;
    }

    /// <summary>Writes bytes to a temp file and runs a poppler/qpdf tool on it.</summary>
    public static string Tool(byte[] pdf, string tool, params string[] arguments)
    {
        var path = Path.Combine(Path.GetTempPath(), $"meeting-{Guid.NewGuid():N}.pdf");
        File.WriteAllBytes(path, pdf);
        try { return DocumentsHttp.Run(tool, [.. arguments.Select(a => a == "{}" ? path : a)]); }
        finally { File.Delete(path); }
    }
}
