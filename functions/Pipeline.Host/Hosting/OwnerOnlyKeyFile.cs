namespace Pipeline.Host.Hosting;

/// <summary>
/// A secret kept in a file only its owner can read (mode 0600): the master key, the host function key. Created on
/// first use and reused afterwards, so what was handed out with it (API keys, mailed links) keeps working across
/// restarts.
/// </summary>
public static class OwnerOnlyKeyFile
{
    /// <summary>
    /// The text in <paramref name="filePath"/> (trimmed), creating the file with <paramref name="newKey"/>() when there
    /// is none. Safe when two processes start on the same data directory at once: whoever creates the file wins,
    /// the other reads the winner's key.
    /// </summary>
    public static string LoadOrCreate(string filePath, Func<string> newKey)
    {
        filePath = Path.GetFullPath(filePath);
        Directory.CreateDirectory(Path.GetDirectoryName(filePath)!);
        for (var attempt = 0; ; attempt++)
        {
            if (File.Exists(filePath))
            {
                string existing;
                try
                {
                    existing = File.ReadAllText(filePath).Trim();
                }
                catch (IOException) when (attempt < 20)
                {
                    // The creator still holds it open (exclusively) while writing; read it once it is done.
                    Thread.Sleep(25);
                    continue;
                }
                if (existing.Length > 0)
                {
                    RestrictToOwner(filePath);
                    return existing;
                }
                if (attempt < 3)
                {
                    // Possibly being written by the process that just created it.
                    Thread.Sleep(50);
                    continue;
                }
                File.Delete(filePath); // empty: a start that died while writing it, before the key was used
            }

            var key = newKey();
            try
            {
                using (var file = new FileStream(filePath, CreateOwnerOnly()))
                {
                    file.Write(System.Text.Encoding.UTF8.GetBytes(key));
                    file.Flush(flushToDisk: true);
                }
                RestrictToOwner(filePath);
                return key;
            }
            catch (IOException) when (File.Exists(filePath) && attempt < 5)
            {
                // Lost the race; read the winner's key.
            }
        }
    }

    private static FileStreamOptions CreateOwnerOnly()
    {
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None };
        if (!OperatingSystem.IsWindows()) options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        return options;
    }

    private static void RestrictToOwner(string filePath)
    {
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(filePath, UnixFileMode.UserRead | UnixFileMode.UserWrite);
    }
}
