using System.Net;

namespace Pipeline.Functions.Tests;

/// <summary>The host's keys across restarts of the real app (the app itself writes no key).</summary>
public sealed class AdminKeyTests
{
    [Fact]
    public async Task First_start_creates_owner_only_keys_that_later_starts_reuse()
    {
        var workingDirectory = PipelineApp.CreateWorkingDirectory();
        try
        {
            string key, functionKey;
            await using (var first = await PipelineApp.StartAsync(workingDirectory))
            {
                key = first.ReadAdminKey();
                functionKey = first.ReadFunctionKey();
                foreach (var file in new[] { first.AdminKeyPath, first.FunctionKeyPath })
                    Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
                Assert.Equal(43, key.Length); // 32 random bytes, base64url
                Assert.Matches("^[A-Za-z0-9_-]+$", key);
                Assert.NotEqual(key, functionKey);
            }

            await using var second = await PipelineApp.StartAsync(workingDirectory);
            Assert.Equal(key, second.ReadAdminKey());
            Assert.Equal(functionKey, second.ReadFunctionKey());

            using var client = new HttpClient { BaseAddress = second.BaseAddress };
            client.DefaultRequestHeaders.Add("x-functions-key", key);
            using var api = await client.GetAsync("/api/documents?pageSize=1");
            Assert.Equal(HttpStatusCode.OK, api.StatusCode);
            using var management = await client.GetAsync("/runtime/webhooks/durabletask/instances?top=1");
            Assert.Equal(HttpStatusCode.OK, management.StatusCode);
        }
        finally
        {
            PipelineApp.DeleteDirectory(workingDirectory);
        }
    }
}
