using System.Text.Json;

namespace Pipeline.Functions.Durable;

/// <summary>
/// Checks an orchestrator's input at <c>POST /api/orchestrators/{name}</c>, before anything is scheduled,
/// so a caller gets a 400 instead of an instance that fails later. Register one per orchestrator as a singleton.
/// </summary>
/// <param name="OrchestratorName">The orchestrator it checks (case-insensitive).</param>
/// <param name="Validate">Given the body (null when empty), returns what is wrong with it, or null when it is fine.</param>
public sealed record OrchestrationInputValidator(string OrchestratorName, Func<JsonElement?, InputError?> Validate);

/// <summary>What is wrong with an input.</summary>
/// <param name="Title">What to fix, e.g. "activities must be between 1 and 1000".</param>
/// <param name="Detail">More help, e.g. an example of a valid input.</param>
public sealed record InputError(string Title, string? Detail = null);
