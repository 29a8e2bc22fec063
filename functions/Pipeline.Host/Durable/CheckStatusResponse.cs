namespace Pipeline.Host.Durable;

/// <summary>
/// The management links of a started instance, as Durable Functions' <c>CreateCheckStatusResponse</c> gives them.
/// <see cref="SendEventPostUri"/> keeps the literal <c>{eventName}</c> placeholder and the command URIs a
/// <c>{text}</c> placeholder for the reason, as Durable Functions does.
/// </summary>
internal sealed record CheckStatusResponse(
    string Id,
    string StatusQueryGetUri,
    string SendEventPostUri,
    string TerminatePostUri,
    string PurgeHistoryDeleteUri,
    string SuspendPostUri,
    string ResumePostUri)
{
    /// <summary>The links for <paramref name="instanceId"/>, absolute, based on the request's scheme and host.</summary>
    public static CheckStatusResponse For(HttpRequest request, string instanceId)
    {
        var instance = DurableManagementApi.InstanceUri(request, instanceId);
        return new CheckStatusResponse(
            instanceId,
            StatusQueryGetUri: instance,
            SendEventPostUri: $"{instance}/raiseEvent/{{eventName}}",
            TerminatePostUri: $"{instance}/terminate?reason={{text}}",
            PurgeHistoryDeleteUri: instance,
            SuspendPostUri: $"{instance}/suspend?reason={{text}}",
            ResumePostUri: $"{instance}/resume?reason={{text}}");
    }
}
