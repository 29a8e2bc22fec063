using Pipeline.Durable.Store;

namespace Pipeline.Durable.Sidecar;

/// <summary>An episode handed to a worker and not completed yet.</summary>
internal sealed record OutstandingEpisode(string Token, EpisodeContext Context, WorkerStream Stream);

/// <summary>An activity handed to a worker and not completed yet.</summary>
internal sealed record OutstandingActivity(string Token, LeasedActivity Lease, WorkerStream Stream);
