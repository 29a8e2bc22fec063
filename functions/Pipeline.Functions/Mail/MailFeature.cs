namespace Pipeline.Functions.Mail;

/// <summary>Mail in the app: one <see cref="IMailer"/>, SMTP when configured, else the outbox folder.</summary>
public static class MailFeature
{
    /// <summary>
    /// Registers <see cref="MailSettings"/> (from section <c>Smtp</c>) and <see cref="IMailer"/>: an
    /// <see cref="SmtpMailer"/> when <c>Smtp:Host</c> is set (environment <c>PIPELINE_SMTP__HOST</c>), otherwise an
    /// <see cref="OutboxMailer"/> writing to <c><paramref name="dataDirectory"/>/outbox</c>.
    /// </summary>
    /// <exception cref="InvalidOperationException">A Smtp setting is malformed; reported at startup, not at the first mail.</exception>
    public static IServiceCollection AddMail(this IServiceCollection services, IConfiguration configuration, string dataDirectory)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(dataDirectory);
        return services.AddMail(configuration, _ => dataDirectory);
    }

    /// <summary>As <see cref="AddMail(IServiceCollection, IConfiguration, string)"/>, with the data directory known only to the built services.</summary>
    public static IServiceCollection AddMail(this IServiceCollection services, IConfiguration configuration, Func<IServiceProvider, string> dataDirectory)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(dataDirectory);
        var settings = MailSettings.FromConfiguration(configuration);
        services.AddSingleton(settings);
        if (settings.UsesSmtp)
        {
            services.AddSingleton<IMailer>(sp => new SmtpMailer(settings, sp.GetService<ILogger<SmtpMailer>>()));
        }
        else
        {
            services.AddSingleton<IMailer>(sp => new OutboxMailer(Path.Combine(Path.GetFullPath(dataDirectory(sp)), "outbox"), settings.From,
                sp.GetService<TimeProvider>(), sp.GetService<ILogger<OutboxMailer>>()));
        }
        return services;
    }
}
