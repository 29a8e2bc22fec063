namespace Pipeline.Functions.Meetings;

/// <summary>
/// Paperless meetings in the app: the store, packs, links and mails. The orchestrations, activities, API and
/// participant pages are functions (<see cref="MeetingWorkflow"/>, <see cref="MeetingsFunctions"/>, <see cref="MeetingPagesFunctions"/>),
/// found by the worker's indexing.
/// </summary>
public static class MeetingsFeature
{
    /// <summary>Registers the services (needs mail and the mailed links' key, address and limits).</summary>
    public static IServiceCollection AddMeetings(this IServiceCollection services)
    {
        services.AddSingleton<MeetingStore>();
        services.AddSingleton<MeetingPacks>();
        services.AddSingleton<MeetingLinks>();
        services.AddSingleton<MeetingMailing>();
        return services;
    }
}
