// The end-to-end tests use Unix file modes, SIGKILL and PostgreSQL's Debian layout.
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]
