using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using Pipeline.Testing;

namespace Pipeline.Benchmarks;

/// <summary>
/// The extraction accuracy benchmark: the whole pipeline (the real app, fresh data dir) over a folder of
/// <c>*/scan.pdf</c> + <c>*/truth.json</c> (the vn-official format); every document's <c>fields</c> from
/// <c>GET /api/documents/{id}</c> compared with its truth. Per field: exact-match accuracy after normalisation
/// (NFC, Ð→Đ, whitespace collapsed and trimmed; <c>issuer</c> line by line joined by <c>\n</c>; <c>recipients</c>
/// as a list, item by item, in order; null equals null), how many values came with confidence at or above the
/// threshold and how many of those were wrong; plus the summary's character error rate over the corpus.
/// </summary>
internal sealed class ExtractionBenchmark(ExtractionBenchmark.Settings settings)
{
    public sealed record Settings(string Corpus, double Threshold, bool Verbose, TimeSpan Timeout);

    /// <summary>The fields compared, in API.md order, with the issue's goal (exact-match accuracy) where it sets one.</summary>
    private static readonly (string Name, double? Goal)[] Fields =
    [
        ("issuer", 0.95), ("code", 0.98), ("number", null), ("symbol", null), ("type", 0.98), ("summary", null),
        ("place", 0.95), ("date", 0.98), ("signerAuthority", 0.95), ("signerTitle", 0.95), ("signer", 0.95),
        ("recipients", 0.90), ("secrecy", 0.98), ("urgency", 0.98),
    ];

    /// <summary>The issue's goal for the summary: corpus CER at most this.</summary>
    private const double SummaryCerGoal = 0.02;

    private sealed record CorpusDocument(string Name, string ScanPath, JsonObject Truth);

    /// <summary>One field of one document: normalised expected and extracted values, confidence, and whether they match.</summary>
    private sealed record FieldResult(string Document, string Field, string? Expected, string? Got, double Confidence, bool Extracted)
    {
        public bool Match => Expected == Got;
    }

    public async Task<int> RunAsync()
    {
        CharacterErrorRate.SelfCheck();
        SelfCheck();
        var total = Stopwatch.StartNew();
        await BenchmarkCorpus.InstallDependenciesAsync("--runtime");
        var corpus = LoadCorpus(settings.Corpus);
        Console.WriteLine($"Corpus {settings.Corpus}: {corpus.Count} documents; confidence threshold {settings.Threshold.ToString(CultureInfo.InvariantCulture)}");
        if (corpus.Count != 24) Console.WriteLine($"  note: the issue's corpus has 24 documents, this one {corpus.Count}.");

        await using var app = await AppDeployment.StartAsync("sqlite", 1, null);
        Console.WriteLine($"  host pid {app.Instances[0].Host.Id}, worker (app) pid {app.Instances[0].WorkerProcessId}, data {app.DataDir}");
        var http = app.Http;
        http.Timeout = TimeSpan.FromMinutes(10);

        // Upload every scan (one file per request, all at once), then wait for each to finish.
        var clock = Stopwatch.StartNew();
        var ids = await Task.WhenAll(corpus.Select(doc => UploadAsync(http, doc)));
        Console.WriteLine($"  {ids.Length} uploads accepted after {clock.Elapsed.TotalSeconds:F1} s; waiting for every document to be Digitised/NeedsReview…");
        var finals = new JsonObject?[corpus.Count];
        var pending = Enumerable.Range(0, corpus.Count).ToList();
        var lastReport = TimeSpan.Zero;
        while (pending.Count > 0)
        {
            foreach (var i in pending.ToList())
            {
                var json = await http.GetFromJsonAsync<JsonObject>($"/api/documents/{Uri.EscapeDataString(ids[i])}");
                var status = (string?)json!["status"];
                if (status is "Received" or "Digitising") continue;
                finals[i] = json;
                pending.Remove(i);
                if (status is "Rejected" or "Failed")
                    Console.WriteLine($"  {corpus[i].Name}: {status}: {json["error"]?.ToJsonString() ?? "(no error)"}");
            }
            if (pending.Count == 0) break;
            if (clock.Elapsed > settings.Timeout)
            {
                Console.WriteLine($"  timed out after {settings.Timeout.TotalMinutes:F0} min: {string.Join(", ", pending.Select(i => corpus[i].Name))} unfinished; " +
                    $"app output:\n{Tail(app.Output, 40)}");
                break;
            }
            if (clock.Elapsed - lastReport > TimeSpan.FromSeconds(30))
            {
                lastReport = clock.Elapsed;
                Console.WriteLine($"  {clock.Elapsed.TotalSeconds:F0} s: {corpus.Count - pending.Count}/{corpus.Count} finished");
            }
            await Task.Delay(500);
        }
        var pipelineSeconds = clock.Elapsed.TotalSeconds;
        Console.WriteLine($"  all documents finished after {pipelineSeconds:F1} s");

        // Compare.
        var results = new List<FieldResult>();
        var summaryCer = default(CharacterErrorRate.Score);
        for (var i = 0; i < corpus.Count; i++)
        {
            var doc = corpus[i];
            var json = finals[i];
            var status = (string?)json?["status"];
            var extracted = status is "Digitised" or "NeedsReview";
            var fields = extracted ? json!["fields"] as JsonObject : null;
            foreach (var (name, _) in Fields)
            {
                var field = fields?[name];
                var expected = Expected(doc.Truth, name);
                var got = extracted ? Got(field?["value"], name) : null;
                var confidence = field?["confidence"] is JsonValue c && c.TryGetValue<double>(out var d) ? d : 0;
                results.Add(new FieldResult(doc.Name, name, expected, got, confidence, extracted));
            }
            // A document that did not finish counts with an empty summary: every reference character missed.
            var truthSummary = (string?)doc.Truth["summary"];
            if (truthSummary is not null)
                summaryCer += CharacterErrorRate.Compute(truthSummary, (extracted ? (string?)(fields?["summary"]?["value"] as JsonValue) : null) ?? "");
        }

        if (settings.Verbose) PrintMismatches(corpus, finals, results);
        var rows = Fields.Select(f => Row(f.Name, f.Goal, results.Where(r => r.Field == f.Name).ToList())).ToList();
        PrintTable(rows, summaryCer);
        PrintStatuses(corpus, finals);
        Console.WriteLine($"wall time: {pipelineSeconds:F1} s from the first upload until every document finished " +
            $"({total.Elapsed.TotalSeconds:F1} s with installing dependencies and starting the app), {Environment.ProcessorCount} cores");
        PrintMarkdown(rows, summaryCer, corpus.Count, finals, pipelineSeconds);
        return finals.All(f => (string?)f?["status"] is "Digitised" or "NeedsReview") ? 0 : 1;
    }

    // ---------------------------------------------------------------- comparison

    /// <summary>
    /// Exact-match normalisation: <see cref="CharacterErrorRate.Normalise"/> (NFC, Ð→Đ, whitespace collapsed and
    /// trimmed); a value that is empty after it counts as null (nothing read).
    /// </summary>
    public static string? Normalise(string? value)
    {
        if (value is null) return null;
        var n = CharacterErrorRate.Normalise(value);
        return n.Length == 0 ? null : n;
    }

    /// <summary>Lines (issuer) or items (recipients), each normalised, empty ones dropped, joined by <c>\n</c>; null when none.</summary>
    public static string? NormaliseLines(IEnumerable<string?> lines)
    {
        var kept = lines.Select(Normalise).OfType<string>().ToList();
        return kept.Count == 0 ? null : string.Join("\n", kept);
    }

    private static string? Expected(JsonObject truth, string name) => truth[name] switch
    {
        JsonArray list => NormaliseLines(list.Select(x => (string?)x)),
        JsonValue v when v.TryGetValue<string>(out var s) => name == "issuer" ? NormaliseLines(s.Split('\n')) : Normalise(s),
        JsonValue v => Normalise(v.ToJsonString()),
        _ => null,
    };

    /// <summary>
    /// The extracted value in the truth's shape: <c>recipients</c> a list of strings, <c>issuer</c> lines joined by
    /// <c>\n</c> (compared line by line), the rest a string or null.
    /// </summary>
    private static string? Got(JsonNode? value, string name) => value switch
    {
        JsonArray list => NormaliseLines(list.Select(x => x is JsonValue v && v.TryGetValue<string>(out var s) ? s : x?.ToJsonString())),
        JsonValue v when v.TryGetValue<string>(out var s) => name is "issuer" or "recipients" ? NormaliseLines(s.Split('\n')) : Normalise(s),
        JsonValue v => Normalise(v.ToJsonString()),
        _ => null,
    };

    private sealed record FieldRow(string Field, double? Goal, int N, int Correct, int Confident, int ConfidentWrong)
    {
        public double Accuracy => N == 0 ? double.NaN : (double)Correct / N;
        public double ConfidentWrongRate => Confident == 0 ? double.NaN : (double)ConfidentWrong / Confident;
        public bool? Met => Goal is { } g ? Accuracy >= g : null;
    }

    private FieldRow Row(string field, double? goal, IReadOnlyList<FieldResult> results)
    {
        var confident = results.Where(r => r.Extracted && r.Confidence >= settings.Threshold).ToList();
        return new FieldRow(field, goal, results.Count, results.Count(r => r.Match), confident.Count, confident.Count(r => !r.Match));
    }

    // ---------------------------------------------------------------- report

    private void PrintMismatches(IReadOnlyList<CorpusDocument> corpus, JsonObject?[] finals, IReadOnlyList<FieldResult> results)
    {
        Console.WriteLine();
        Console.WriteLine("Mismatches (document, field, expected, got, confidence):");
        foreach (var r in results.Where(r => !r.Match))
        {
            var flag = r.Extracted && r.Confidence >= settings.Threshold ? "  <-- confident" : "";
            var got = r.Extracted ? Show(r.Got) : "(document " + ((string?)finals[corpus.ToList().FindIndex(d => d.Name == r.Document)]?["status"] ?? "unfinished") + ")";
            Console.WriteLine($"  {r.Document} {r.Field}: expected {Show(r.Expected)} got {got} confidence {r.Confidence.ToString("0.00", CultureInfo.InvariantCulture)}{flag}");
        }
    }

    private static string Show(string? value) => value is null ? "null" : "«" + value.Replace("\n", " | ") + "»";

    private void PrintTable(IReadOnlyList<FieldRow> rows, CharacterErrorRate.Score summaryCer)
    {
        var t = settings.Threshold.ToString(CultureInfo.InvariantCulture);
        Console.WriteLine();
        Console.WriteLine($"Extraction benchmark, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, corpus {settings.Corpus}");
        Console.WriteLine($"{"field",-16} {"exact match",12} {"n",4} {"conf ≥ " + t,11} {"wrong of those",16} {"goal",-20}");
        foreach (var r in rows)
        {
            var wrong = r.Confident == 0 ? "0" : $"{r.ConfidentWrong} ({Percent(r.ConfidentWrongRate)})";
            var goal = r.Goal is { } g ? $"≥ {g * 100:F0} % {(r.Met == true ? "met" : "NOT met")}" : "–";
            Console.WriteLine($"{r.Field,-16} {Percent(r.Accuracy),12} {r.N,4} {r.Confident,11} {wrong,16} {goal,-20}");
        }
        var cerMet = summaryCer.Rate <= SummaryCerGoal;
        Console.WriteLine($"{"summary CER",-16} {Percent(summaryCer.Rate),12} {"",4} {"",11} {"",16} " +
            $"≤ {SummaryCerGoal * 100:F0} % {(cerMet ? "met" : "NOT met")}   ({summaryCer.Edits} edits / {summaryCer.ReferenceLength} reference characters)");
        var all = rows.Sum(r => r.Confident);
        var allWrong = rows.Sum(r => r.ConfidentWrong);
        Console.WriteLine($"all fields: {rows.Sum(r => r.Correct)}/{rows.Sum(r => r.N)} exact; {all} values at confidence ≥ {t}, " +
            $"{allWrong} of them wrong ({(all == 0 ? "–" : Percent((double)allWrong / all))})");
    }

    private static void PrintStatuses(IReadOnlyList<CorpusDocument> corpus, JsonObject?[] finals)
    {
        var counts = finals.GroupBy(f => (string?)f?["status"] ?? "unfinished").OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => $"{g.Key} {g.Count()}");
        Console.WriteLine($"documents: {string.Join(", ", counts)} (of {corpus.Count})");
        for (var i = 0; i < corpus.Count; i++)
            if ((string?)finals[i]?["status"] == "NeedsReview")
                Console.WriteLine($"  {corpus[i].Name} NeedsReview: {finals[i]!["reviewReason"]?.ToString() ?? "(no reviewReason)"}");
    }

    private void PrintMarkdown(IReadOnlyList<FieldRow> rows, CharacterErrorRate.Score summaryCer, int documents, JsonObject?[] finals, double seconds)
    {
        var t = settings.Threshold.ToString(CultureInfo.InvariantCulture);
        var needsReview = finals.Count(f => (string?)f?["status"] == "NeedsReview");
        Console.WriteLine();
        Console.WriteLine($"Extraction accuracy on the vn-official corpus ({documents} documents, {needsReview} ended NeedsReview, {seconds:F0} s on " +
            $"{Environment.ProcessorCount} cores; `dotnet run -c Release --project tests/Pipeline.Benchmarks -- extraction`):");
        Console.WriteLine();
        Console.WriteLine($"| field | exact match | confidence ≥ {t} | of those wrong | goal |");
        Console.WriteLine("|---|---|---|---|---|");
        foreach (var r in rows)
        {
            var wrong = r.Confident == 0 ? "–" : $"{r.ConfidentWrong} ({Percent(r.ConfidentWrongRate)})";
            var goal = r.Goal is { } g ? $"≥ {g * 100:F0} % {(r.Met == true ? "✓" : "✗")}" : "–";
            Console.WriteLine($"| `{r.Field}` | {Percent(r.Accuracy)} ({r.Correct}/{r.N}) | {r.Confident}/{r.N} | {wrong} | {goal} |");
        }
        Console.WriteLine($"| `summary` CER | {Percent(summaryCer.Rate)} ({summaryCer.Edits}/{summaryCer.ReferenceLength} characters) | | | " +
            $"≤ {SummaryCerGoal * 100:F0} % {(summaryCer.Rate <= SummaryCerGoal ? "✓" : "✗")} |");
    }

    private static string Percent(double rate) => double.IsNaN(rate) ? "–" : $"{rate * 100:F1} %";

    // ---------------------------------------------------------------- setup

    private static IReadOnlyList<CorpusDocument> LoadCorpus(string dir)
        => [.. BenchmarkCorpus.Load(dir).Select(scan => new CorpusDocument(scan.Name, scan.ScanPath, scan.Truth))];

    private static async Task<string> UploadAsync(HttpClient http, CorpusDocument doc)
    {
        using var form = new MultipartFormDataContent();
        var file = new ByteArrayContent(await File.ReadAllBytesAsync(doc.ScanPath));
        file.Headers.ContentType = new MediaTypeHeaderValue("application/pdf");
        form.Add(file, "file", $"{doc.Name}.pdf");
        using var response = await http.PostAsync("/api/documents", form);
        var body = await response.Content.ReadAsStringAsync();
        if (response.StatusCode != HttpStatusCode.Accepted)
            throw new InvalidOperationException($"POST /api/documents ({doc.Name}) → {(int)response.StatusCode}: {body}");
        var documents = JsonNode.Parse(body)!["documents"]!.AsArray();
        if (documents.Count != 1) throw new InvalidOperationException($"POST /api/documents ({doc.Name}): {documents.Count} documents: {body}");
        if (documents[0]!["duplicateOf"] is JsonNode dup)
            Console.WriteLine($"  note: {doc.Name} is a duplicate of {dup.ToJsonString()}");
        return (string)documents[0]!["documentId"]!;
    }

    private static string Tail(string text, int lines)
    {
        var all = text.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        return string.Join("\n", all.Skip(Math.Max(0, all.Length - lines)));
    }

    /// <summary>Checks the comparison rules on small examples; throws if one is wrong.</summary>
    private static void SelfCheck()
    {
        void Expect(string what, bool ok)
        {
            if (!ok) throw new InvalidOperationException($"ExtractionBenchmark self-check failed: {what}");
        }

        Expect("NFC", Normalise("Kế hoạch".Normalize(NormalizationForm.FormD)) == Normalise("Kế hoạch"));
        Expect("eth", Normalise("\u00D0ẢNG ỦY") == "ĐẢNG ỦY");
        Expect("whitespace", Normalise("  Hà\u00A0 Nội \n") == "Hà Nội");
        Expect("empty is null", Normalise(" \n ") is null);
        var truth = new JsonObject
        {
            ["issuer"] = new JsonArray("ĐẢNG BỘ TỈNH", "TỈNH ỦY"),
            ["recipients"] = new JsonArray("Như trên,", "Lưu VT."),
            ["urgency"] = null,
        };
        Expect("issuer lines", Expected(truth, "issuer") == Got(JsonValue.Create("ĐẢNG BỘ TỈNH \n TỈNH ỦY"), "issuer"));
        Expect("issuer line break matters", Expected(truth, "issuer") != Got(JsonValue.Create("ĐẢNG BỘ TỈNH TỈNH ỦY"), "issuer"));
        Expect("recipients list", Expected(truth, "recipients") == Got(new JsonArray(" Như trên,", "Lưu  VT."), "recipients"));
        Expect("recipients order", Expected(truth, "recipients") != Got(new JsonArray("Lưu VT.", "Như trên,"), "recipients"));
        Expect("null equals null", Expected(truth, "urgency") == Got(null, "urgency"));
        Expect("null is not a value", Expected(truth, "urgency") != Got(JsonValue.Create("KHẨN"), "urgency"));
    }
}
