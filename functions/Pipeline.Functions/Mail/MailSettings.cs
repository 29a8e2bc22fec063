using System.Globalization;

namespace Pipeline.Functions.Mail;

/// <summary>
/// How mail goes out, from configuration section <c>Smtp</c> (environment <c>PIPELINE_SMTP__HOST</c>,
/// <c>PIPELINE_SMTP__PORT</c>, …). With no <see cref="Host"/> mail goes to the outbox folder.
/// </summary>
public sealed record MailSettings
{
    /// <summary>The From address when none is configured.</summary>
    public const string DefaultFrom = "Pipeline <pipeline@localhost>";

    /// <summary>SMTP server (<c>Smtp:Host</c>); null or empty: write to the outbox instead.</summary>
    public string? Host { get; init; }

    /// <summary>SMTP port (<c>Smtp:Port</c>), default 25.</summary>
    public int Port { get; init; } = 25;

    /// <summary>SMTP user name (<c>Smtp:User</c>); null: no authentication.</summary>
    public string? User { get; init; }

    /// <summary>SMTP password (<c>Smtp:Password</c>), used with <see cref="User"/>.</summary>
    public string? Password { get; init; }

    /// <summary>Use TLS (STARTTLS) to the SMTP server (<c>Smtp:EnableSsl</c>), default false.</summary>
    public bool EnableSsl { get; init; }

    /// <summary>The From address of every mail, outbox or SMTP (<c>Smtp:From</c>).</summary>
    public string From { get; init; } = DefaultFrom;

    /// <summary>Whether mail goes out over SMTP.</summary>
    public bool UsesSmtp => !string.IsNullOrWhiteSpace(Host);

    /// <summary>Reads the <c>Smtp</c> section.</summary>
    /// <exception cref="InvalidOperationException">A value is malformed (port, EnableSsl, From); the message says which.</exception>
    public static MailSettings FromConfiguration(IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var section = configuration.GetSection("Smtp");
        var settings = new MailSettings
        {
            Host = Blank(section["Host"]),
            Port = section["Port"] is { Length: > 0 } port
                ? int.TryParse(port, NumberStyles.None, CultureInfo.InvariantCulture, out var p) && p is > 0 and <= 65535
                    ? p
                    : throw new InvalidOperationException($"Smtp:Port '{port}' is not a TCP port (1-65535).")
                : 25,
            User = Blank(section["User"]),
            Password = section["Password"],
            EnableSsl = section["EnableSsl"] is { Length: > 0 } ssl
                ? bool.TryParse(ssl, out var s) ? s : throw new InvalidOperationException($"Smtp:EnableSsl '{ssl}' is not true or false.")
                : false,
            From = Blank(section["From"]) ?? DefaultFrom,
        };
        try
        {
            MailHeaderRules.ParseAddress(settings.From, "Smtp:From");
        }
        catch (ArgumentException e)
        {
            throw new InvalidOperationException(e.Message, e);
        }
        return settings;
    }

    /// <summary>Leaves the password out, so settings can be logged.</summary>
    public override string ToString() =>
        UsesSmtp
            ? $"SMTP {Host}:{Port} ssl={EnableSsl} user={User ?? "(none)"} from={From}"
            : $"outbox from={From}";

    private static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}
