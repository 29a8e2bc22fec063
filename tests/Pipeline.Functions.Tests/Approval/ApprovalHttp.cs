using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json;
using Pipeline.Functions.Tests.Documents;
using Pipeline.Functions.Tests.Mail;

namespace Pipeline.Functions.Tests.Approval;

/// <summary>Approvals as an integrating system and an approver's mail reader see them: the API, the outbox, the links.</summary>
public static class ApprovalHttp
{
    /// <summary>host.json with the review threshold at 0, so corpus documents end Digitised (approvable) without a review.</summary>
    public static string WithoutReview(string hostJson) => hostJson.Replace("\"reviewThreshold\": 0.9", "\"reviewThreshold\": 0.0");

    /// <summary>Uploads corpus documents (<c>doc001</c>…) and waits until each is Digitised; returns their ids in order.</summary>
    public static async Task<IReadOnlyList<string>> DigitisedAsync(this HttpClient client, params string[] corpusDocuments)
    {
        var ids = new List<string>();
        foreach (var name in corpusDocuments)
        {
            var uploaded = await client.UploadAcceptedAsync(null, DocumentsHttp.Corpus("vn-official", name, "scan.pdf"));
            ids.Add(uploaded[0].GetProperty("documentId").GetString()!);
        }
        foreach (var id in ids) await client.WaitForDocumentAsync(id, TimeSpan.FromMinutes(3), "Digitised");
        return ids;
    }

    /// <summary>POST /api/documents/{id}/approvals with <paramref name="json"/>.</summary>
    public static Task<HttpResponseMessage> PostApprovalAsync(this HttpClient client, string documentId, string json) =>
        client.PostAsync($"/api/documents/{documentId}/approvals", new StringContent(json, Encoding.UTF8, "application/json"));

    /// <summary>Asks for an approval and returns its id (fails the test unless 202).</summary>
    public static async Task<string> RequestApprovalAsync(this HttpClient client, string documentId, string json)
    {
        using var response = await client.PostApprovalAsync(documentId, json);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, $"approval request answered {(int)response.StatusCode}: {body}");
        return JsonDocument.Parse(body).RootElement.GetProperty("approvalId").GetString()!;
    }

    /// <summary>GET /api/approvals/{id}.</summary>
    public static async Task<JsonElement> GetApprovalAsync(this HttpClient client, string approvalId)
    {
        using var response = await client.GetAsync($"/api/approvals/{approvalId}");
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"GET approval answered {(int)response.StatusCode}: {body}");
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    /// <summary>Polls the approval until <paramref name="done"/> holds.</summary>
    public static async Task<JsonElement> WaitForApprovalAsync(this HttpClient client, string approvalId, Func<JsonElement, bool> done, TimeSpan? timeout = null)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var approval = await client.GetApprovalAsync(approvalId);
            if (done(approval)) return approval;
            if (clock.Elapsed > (timeout ?? TimeSpan.FromSeconds(30))) throw new TimeoutException($"Approval {approvalId} did not get there: {approval}");
            await Task.Delay(50);
        }
    }

    /// <summary>
    /// Waits until the approval's orchestration says (custom status) it is at <paramref name="stage"/> of step
    /// <paramref name="step"/>, e.g. <c>waiting</c> once the step's mails are all out: a point after which nothing of
    /// that step's opening can happen any more.
    /// </summary>
    public static Task<JsonElement> WaitForStageAsync(this HttpClient client, string approvalId, int step, string stage, TimeSpan? timeout = null) =>
        client.WaitForStatusAsync($"/runtime/webhooks/durabletask/instances/approval-{approvalId}",
            (_, body) => StageOf(body) is { } at && at.Step == step && at.Stage == stage, timeout ?? TimeSpan.FromSeconds(60), $"step {step} {stage}");

    // {"step":n,"stage":"…"} from an instance status's customStatus (a JSON value, or JSON text of one).
    private static (int Step, string? Stage)? StageOf(JsonElement status)
    {
        if (status.ValueKind != JsonValueKind.Object || !status.TryGetProperty("customStatus", out var custom)) return null;
        if (custom.ValueKind == JsonValueKind.String)
        {
            try { custom = JsonDocument.Parse(custom.GetString()!).RootElement.Clone(); }
            catch (JsonException) { return null; }
        }
        if (custom.ValueKind != JsonValueKind.Object || !custom.TryGetProperty("step", out var step) || !custom.TryGetProperty("stage", out var stage)) return null;
        return step.ValueKind == JsonValueKind.Number ? (step.GetInt32(), stage.GetString()) : null;
    }

    /// <summary>The document's audit trail, oldest first.</summary>
    public static async Task<IReadOnlyList<JsonElement>> AuditAsync(this HttpClient client, string documentId)
    {
        var trail = JsonDocument.Parse(await client.GetStringAsync($"/api/documents/{documentId}/audit")).RootElement;
        return [.. trail.EnumerateArray().Select(e => e.Clone())];
    }

    /// <summary>The status of step <paramref name="step"/>.</summary>
    public static string StepStatus(this JsonElement approval, int step) => approval.GetProperty("steps")[step].GetProperty("status").GetString()!;

    /// <summary>The decisions of step <paramref name="step"/>.</summary>
    public static int DecisionCount(this JsonElement approval, int step) => approval.GetProperty("steps")[step].GetProperty("decisions").GetArrayLength();

    /// <summary>Every whole mail in <c>&lt;data&gt;/outbox</c>, oldest first.</summary>
    public static IReadOnlyList<EmlReader> Outbox(string dataDirectory)
    {
        var outbox = Path.Combine(dataDirectory, "outbox");
        return Directory.Exists(outbox)
            ? [.. Directory.GetFiles(outbox, "*.eml").Order(StringComparer.Ordinal).Select(f => EmlReader.Read(File.ReadAllBytes(f)))]
            : [];
    }

    /// <summary>Waits until the outbox holds mails for which <paramref name="enough"/> holds; returns them all.</summary>
    public static async Task<IReadOnlyList<EmlReader>> WaitForOutboxAsync(string dataDirectory, Func<IReadOnlyList<EmlReader>, bool> enough, TimeSpan? timeout = null)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            var mails = Outbox(dataDirectory);
            if (enough(mails)) return mails;
            if (clock.Elapsed > (timeout ?? TimeSpan.FromSeconds(30)))
                throw new TimeoutException($"The outbox holds {mails.Count} mails: {string.Join("; ", mails.Select(m => $"{m.Header("To")}: {m.Header("Subject")}"))}");
            await Task.Delay(50);
        }
    }

    /// <summary>The mails to <paramref name="address"/>.</summary>
    public static IReadOnlyList<EmlReader> To(this IReadOnlyList<EmlReader> mails, string address) =>
        [.. mails.Where(m => m.Header("To")?.Contains(address, StringComparison.OrdinalIgnoreCase) == true)];

    /// <summary>The decision link in a mail's text part (the line holding <c>/approvals/</c>).</summary>
    public static string LinkIn(string text) =>
        text.Split('\n').Select(l => l.Trim()).Single(l => l.Contains("/approvals/", StringComparison.Ordinal));

    /// <summary>The decision link of the one invitation to <paramref name="address"/>.</summary>
    public static string LinkFor(this IReadOnlyList<EmlReader> mails, string address) => LinkIn(mails.To(address).First().Text);

    /// <summary>POST /approvals/{token} as the approver's browser does (a form), with a user agent.</summary>
    public static async Task<HttpResponseMessage> DecideAsync(this HttpClient client, string link, string decision, string? comment = null, string userAgent = "ApprovalTests/1.0")
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, link)
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string> { ["decision"] = decision, ["comment"] = comment ?? "" }),
        };
        request.Headers.UserAgent.ParseAdd(userAgent);
        return await client.SendAsync(request);
    }
}
