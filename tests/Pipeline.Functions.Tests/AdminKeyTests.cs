using System.Net;

namespace Pipeline.Functions.Tests;

/// <summary>The admin key across restarts of the real app.</summary>
public sealed class AdminKeyTests
{
    [Fact]
    public async Task First_start_creates_an_owner_only_admin_key_that_later_starts_reuse()
    {
        var workingDirectory = PipelineApp.CreateWorkingDirectory();
        try
        {
            string key;
            await using (var first = await PipelineApp.StartAsync(workingDirectory))
            {
                key = first.ReadAdminKey();
                Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(first.AdminKeyPath));
                Assert.Equal(43, key.Length); // 32 random bytes, base64url
                Assert.Matches("^[A-Za-z0-9_-]+$", key);
            }

            await using var second = await PipelineApp.StartAsync(workingDirectory);
            Assert.Equal(key, second.ReadAdminKey());

            using var client = new HttpClient { BaseAddress = second.BaseAddress };
            client.DefaultRequestHeaders.Add("x-functions-key", key);
            using var response = await client.GetAsync("/runtime/webhooks/durabletask/instances?top=1");
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }
        finally
        {
            PipelineApp.DeleteDirectory(workingDirectory);
        }
    }
}
