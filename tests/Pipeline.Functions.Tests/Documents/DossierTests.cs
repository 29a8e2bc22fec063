using System.Net;
using System.Net.Http.Json;

namespace Pipeline.Functions.Tests;

/// <summary>Dossiers through the host: who made them (the key the host let through, the client's address) and when (the clock file).</summary>
public sealed class DossierTests
{
    [Fact]
    public async Task The_creator_names_the_key_and_the_client_address_the_host_forwarded()
    {
        await using var app = await PipelineApp.StartAsync();
        using var admin = app.CreateClient();
        using var function = app.CreateClient(withKey: false);
        function.DefaultRequestHeaders.Add("x-functions-key", app.ReadFunctionKey());

        Assert.Equal("admin-key@127.0.0.1", await CreatorAsync(admin));
        Assert.Equal("function-key@127.0.0.1", await CreatorAsync(function));

        // A client's own X-Forwarded-For does not make it someone else: the host forwards what it saw.
        using var spoofed = new HttpRequestMessage(HttpMethod.Post, "/api/dossiers") { Content = JsonContent.Create(new { title = "Hồ sơ" }) };
        spoofed.Headers.Add("X-Forwarded-For", "203.0.113.9");
        using var response = await admin.SendAsync(spoofed);
        var body = DurableHttp.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("admin-key@127.0.0.1", body.GetProperty("creator").GetString());
    }

    private static async Task<string> CreatorAsync(HttpClient client)
    {
        using var response = await client.PostAsJsonAsync("/api/dossiers", new { title = "Hồ sơ hội nghị" });
        var body = DurableHttp.Parse(await response.Content.ReadAsStringAsync());
        Assert.True(response.StatusCode == HttpStatusCode.Created, $"Expected 201, got {(int)response.StatusCode}: {body}");
        return body.GetProperty("creator").GetString()!;
    }

    [Fact]
    public async Task A_dossier_made_without_an_id_is_named_after_the_clock_files_day_which_moves_with_the_file()
    {
        var directory = PipelineApp.CreateWorkingDirectory();
        try
        {
            var clockFile = PipelineApp.CreateClockFile(directory, new DateTimeOffset(2030, 1, 2, 10, 0, 0, TimeSpan.Zero));
            await using var app = await PipelineApp.StartAsync(directory, clockFile: clockFile);
            using var client = app.CreateClient();

            Assert.StartsWith("HS-20300102-", await CreateDossierAsync(client));

            await app.AdvanceClockAsync(TimeSpan.FromDays(1));
            Assert.StartsWith("HS-20300103-", await CreateDossierAsync(client));
            Assert.InRange(app.UtcNow, new DateTimeOffset(2030, 1, 3, 10, 0, 0, TimeSpan.Zero), new DateTimeOffset(2030, 1, 3, 11, 0, 0, TimeSpan.Zero));
        }
        finally
        {
            PipelineApp.DeleteDirectory(directory);
        }
    }

    private static async Task<string> CreateDossierAsync(HttpClient client)
    {
        using var response = await client.PostAsJsonAsync("/api/dossiers", new { title = "Hồ sơ hội nghị" });
        var body = DurableHttp.Parse(await response.Content.ReadAsStringAsync());
        Assert.True(response.StatusCode == HttpStatusCode.Created, $"Expected 201, got {(int)response.StatusCode}: {body}");
        return body.GetProperty("id").GetString()!;
    }
}
