using Pipeline.Functions.Hosting;

namespace Pipeline.Functions.Meetings;

/// <summary>Paperless meetings in the app: the store, packs, links and mails, the orchestrations, the API and the participant pages.</summary>
public static class MeetingsFeature
{
    /// <summary>Registers the services and orchestrations (needs the approval feature's mail, link key and address).</summary>
    public static IServiceCollection AddMeetings(this IServiceCollection services)
    {
        services.AddSingleton<MeetingStore>();
        services.AddSingleton<MeetingPacks>();
        services.AddSingleton<MeetingLinks>();
        services.AddSingleton<MeetingMailing>();
        services.AddDurableTasks(registry => registry
            .AddOrchestrator<MeetingWorkflow>()
            .AddOrchestrator<OpinionWorkflow>()
            .AddActivity<BuildMeetingPack>()
            .AddActivity<NotifyParticipants>()
            .AddActivity<SendOpinionMails>()
            .AddActivity<CloseOpinions>()
            .AddActivity<ArchiveMeeting>());
        return services;
    }

    /// <summary>Maps the API and the participant pages.</summary>
    public static IEndpointRouteBuilder MapMeetings(this IEndpointRouteBuilder app)
    {
        app.MapMeetingsApi();
        app.MapParticipantPages();
        return app;
    }
}
