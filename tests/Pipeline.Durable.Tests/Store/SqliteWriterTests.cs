using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;
using Pipeline.Durable.Store.Sqlite;

namespace Pipeline.Durable.Tests.Store;

/// <summary>
/// The SQLite store's single writer commits queued writes together. A write that throws inside such a group commit
/// must fail alone: every other write of the group is committed exactly once.
/// </summary>
public sealed class SqliteWriterTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("pipeline-writer-").FullName;

    [Fact]
    public async Task A_write_that_throws_fails_alone_and_the_rest_of_its_group_commits_once()
    {
        var connectionString = new SqliteConnectionStringBuilder { DataSource = Path.Combine(_directory, "w.db"), Pooling = false }.ToString();
        using var writer = new SqliteWriter(connectionString, NullLogger.Instance);
        await writer.WriteAsync(w => w.Execute("CREATE TABLE done (n INTEGER PRIMARY KEY)"));

        // Hold the writer thread so that everything queued meanwhile lands in one group.
        using var release = new ManualResetEventSlim();
        var holding = writer.WriteAsync(w => release.Wait(TimeSpan.FromSeconds(30)));
        var writes = new List<Task<int>>();
        for (var n = 1; n <= 20; n++)
        {
            var value = n;
            writes.Add(writer.WriteAsync(w =>
            {
                w.Execute("INSERT INTO done (n) VALUES (@n)", ("@n", value));
                // The 7th and the 15th insert their row and then fail: their rows must not survive.
                if (value is 7 or 15) w.Execute("INSERT INTO missing_table (n) VALUES (1)");
                return value;
            }));
        }
        release.Set();
        await holding;

        foreach (var (write, n) in writes.Select((w, i) => (w, i + 1)))
        {
            if (n is 7 or 15) await Assert.ThrowsAsync<SqliteException>(() => write);
            else Assert.Equal(n, await write);
        }
        var rows = await writer.WriteAsync(w =>
        {
            var list = new List<long>();
            using var reader = w.Query("SELECT n FROM done ORDER BY n");
            while (reader.Read()) list.Add(reader.GetInt64(0));
            return list;
        });
        // Once each (n is the primary key: a write run twice in one commit would have failed), and none of the failed.
        Assert.Equal(Enumerable.Range(1, 20).Where(n => n is not (7 or 15)).Select(n => (long)n), rows);
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }
}
