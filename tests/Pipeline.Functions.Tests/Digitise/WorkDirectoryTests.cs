using System.Diagnostics;
using Pipeline.Functions.Digitise;
using Pipeline.Functions.Hosting;

namespace Pipeline.Functions.Tests.Digitise;

/// <summary>
/// Scratch directories: clean-up runs every minute while work runs, so it must remove what dead processes left and
/// never what a live one (this one, or another worker on the same data directory) is using.
/// </summary>
public sealed class WorkDirectoryTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("pipeline-work-").FullName;

    private DataDirectory Data => new(_root);

    [Fact]
    public void Clean_up_keeps_the_directories_of_this_process_while_they_are_in_use()
    {
        using var scratch = WorkDirectory.Create(Data, "page");
        File.WriteAllText(scratch.File("image.png"), "pixels");

        Assert.Equal(0, WorkDirectory.CleanUp(Data));
        Assert.True(File.Exists(scratch.File("image.png")));
    }

    [Fact]
    public void Clean_up_removes_what_a_dead_process_left_behind()
    {
        // A process directory whose lock nobody holds: its process is gone.
        var dead = Path.Combine(_root, "work", "p999999-0123456789abcdef0123456789abcdef");
        Directory.CreateDirectory(Path.Combine(dead, "page-1"));
        File.WriteAllText(Path.Combine(dead, ".lock"), "");
        File.WriteAllText(Path.Combine(dead, "page-1", "image.png"), "pixels");
        using var mine = WorkDirectory.Create(Data, "page");

        Assert.Equal(1, WorkDirectory.CleanUp(Data));
        Assert.False(Directory.Exists(dead));
        Assert.True(Directory.Exists(mine.Path));
    }

    [Fact]
    public async Task Clean_up_keeps_the_directories_of_another_live_process()
    {
        // Another process holding its lock, as a second worker on the same data directory does.
        var other = Path.Combine(_root, "work", "p1-fedcba9876543210fedcba9876543210");
        Directory.CreateDirectory(other);
        var lockFile = Path.Combine(other, ".lock");
        File.WriteAllText(lockFile, "");
        using var holder = Process.Start(new ProcessStartInfo("flock", ["--exclusive", "--close", lockFile, "sleep", "30"]) { UseShellExecute = false })!;
        try
        {
            // Wait until flock holds the lock (it cannot be taken any more).
            var clock = Stopwatch.StartNew();
            while (CanLock(lockFile))
            {
                Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), "flock did not take the lock");
                await Task.Delay(20);
            }

            Assert.Equal(0, WorkDirectory.CleanUp(Data));
            Assert.True(Directory.Exists(other));
        }
        finally
        {
            holder.Kill(entireProcessTree: true);
            await holder.WaitForExitAsync();
        }

        // Once that process is gone, its directory goes (waiting for the kernel to show the lock free, with a deadline).
        var removed = 0;
        var gone = Stopwatch.StartNew();
        while ((removed += WorkDirectory.CleanUp(Data)) == 0 && gone.Elapsed < TimeSpan.FromSeconds(10)) await Task.Delay(50);
        Assert.Equal(1, removed);
        Assert.False(Directory.Exists(other));
    }

    [Fact]
    public void A_directory_without_a_lock_is_left_alone_while_it_may_still_be_being_made()
    {
        var fresh = Path.Combine(_root, "work", "p2-00000000000000000000000000000000");
        Directory.CreateDirectory(fresh);
        var old = Path.Combine(_root, "work", "page-from-an-older-version");
        Directory.CreateDirectory(old);
        Directory.SetLastWriteTimeUtc(old, DateTime.UtcNow.AddDays(-1));

        Assert.Equal(1, WorkDirectory.CleanUp(Data));
        Assert.True(Directory.Exists(fresh));
        Assert.False(Directory.Exists(old));
    }

    [Fact]
    public void A_disposed_directory_is_gone()
    {
        var scratch = WorkDirectory.Create(Data, "assemble");
        File.WriteAllText(scratch.File("archive.pdf"), "%PDF");
        scratch.Dispose();
        Assert.False(Directory.Exists(scratch.Path));
    }

    private static bool CanLock(string path)
    {
        try
        {
            using var probe = new FileStream(path, FileMode.Open, FileAccess.ReadWrite, FileShare.None);
            return true;
        }
        catch (IOException)
        {
            return false;
        }
    }

    public void Dispose() => PipelineApp.DeleteDirectory(_root);
}
