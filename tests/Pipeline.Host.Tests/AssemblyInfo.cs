// The tests use /proc, Unix file modes and signals.
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]
