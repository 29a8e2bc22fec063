using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Microsoft.DurableTask.Testing;
using Pipeline.Functions.Documents;
using Pipeline.Functions.Meetings;

namespace Pipeline.Functions.Tests.Meetings;

/// <summary>
/// Issue 11: the meeting workflows act only on what the meeting store backs. The real orchestrators
/// (<see cref="MeetingWorkflow"/>, <see cref="OpinionWorkflow"/>) and the real store checks
/// (<see cref="CheckMeetingCommand"/>, <see cref="CheckOpinionRequest"/>) run on Microsoft's in-process Durable Task
/// host over a real meeting store; the pack, mail and minutes activities are recorders. A forged command (publish of a
/// Draft, archive of a meeting in session, a command for another meeting's instance) does nothing, a malformed event
/// neither acts nor stops the workflow, and an opinion request's deadline is the store's, not the one its input claims.
/// </summary>
public sealed class MeetingWorkflowEventTests : IAsyncLifetime
{
    private readonly string _directory = Directory.CreateTempSubdirectory("meeting-events-").FullName;
    private readonly ConcurrentQueue<string> _calls = new();
    private DocumentCatalog _catalog = null!;
    private MeetingStore _store = null!;
    private DurableTaskTestHost _host = null!;

    private DurableTaskClient Client => _host.Client;

    public async Task InitializeAsync()
    {
        var database = new CatalogDatabase(Path.Combine(_directory, "documents.db"));
        var audit = new AuditLog(database, TimeProvider.System);
        _catalog = new DocumentCatalog(database, audit, TimeProvider.System);
        _store = new MeetingStore(database, audit, TimeProvider.System);
        var check = new CheckMeetingCommand(_store, _catalog);
        var opinions = new CheckOpinionRequest(_store);
        _host = await DurableTaskTestHost.StartAsync(registry => registry
            .AddOrchestratorFunc<object?, string>(MeetingWorkflow.Name, (context, _) => MeetingWorkflow.Run(context))
            .AddOrchestratorFunc<object?, string>(OpinionWorkflow.Name, (context, _) => OpinionWorkflow.Run(context))
            .AddActivityFunc<MeetingCommandClaim, MeetingCommandDecision>(CheckMeetingCommand.Name, (_, claim) => check.DecideAsync(claim, CancellationToken.None))
            .AddActivityFunc<OpinionWork, OpinionRequestState>(CheckOpinionRequest.Name, (_, work) => opinions.StateAsync(work, CancellationToken.None))
            .AddActivityFunc<PackWork, int>(BuildMeetingPack.Name, async (_, work) =>
            {
                _calls.Enqueue($"build {work.Version}");
                var meeting = (await _store.GetAsync(work.MeetingId))!;
                await _store.AddPackAsync(meeting.Id, work.Version, new string('a', 64), 1, meeting.Plan);
                return 1;
            })
            .AddActivityFunc<PackWork, int>(NotifyParticipants.Name, (_, work) => { _calls.Enqueue($"notify {work.Version}"); return 1; })
            .AddActivityFunc<string, string>(ArchiveMeeting.Name, (_, id) => { _calls.Enqueue("archive"); return "minutes-" + id; })
            .AddActivityFunc<OpinionWork, int>(SendOpinionMails.Name, (_, work) => { _calls.Enqueue(work.Reminder ? "remind" : "ask"); return 1; })
            .AddActivityFunc<OpinionWork, bool>(CloseOpinions.Name, (_, _) => { _calls.Enqueue("close"); return true; }));
    }

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        PipelineApp.DeleteDirectory(_directory);
    }

    [Fact]
    public async Task Malformed_command_events_are_ignored_and_the_workflow_keeps_waiting_for_real_ones()
    {
        var meeting = await StartMeetingAsync();
        await SetStatusAsync(meeting.Id, MeetingStatus.Published);

        // Not an object, no kind, a kind that is not a string, an unknown kind, no payload at all.
        var handled = 0;
        foreach (var payload in new object?[] { "garbage", 42, new { }, new { kind = 7 }, new { kind = "approve" }, new[] { "publish" }, null })
        {
            await Client.RaiseEventAsync(meeting.InstanceId, MeetingCommand.EventName, payload);
            var status = await WaitForHandledAsync(meeting.InstanceId, ++handled);
            Assert.Equal("an event that is not a command", status.GetProperty("lastIgnored").GetString());
        }
        Assert.Empty(_calls);

        // A real command after all that still works.
        await Client.RaiseEventAsync(meeting.InstanceId, MeetingCommand.EventName, new MeetingCommand("publish"));
        Assert.Equal(1, (await WaitForHandledAsync(meeting.InstanceId, handled + 1)).GetProperty("packVersion").GetInt32());
        Assert.Equal(["build 1", "notify 1"], _calls);
        Assert.Equal(1, (await _store.GetAsync(meeting.Id))!.PackVersion);
    }

    [Fact]
    public async Task Commands_the_store_does_not_back_change_nothing()
    {
        var meeting = await StartMeetingAsync();

        // Publish of a meeting the store has as Draft (nobody asked to publish it): no pack, no mail.
        await Client.RaiseEventAsync(meeting.InstanceId, MeetingCommand.EventName, new MeetingCommand("publish"));
        Assert.Equal("publish: the meeting is Draft, not Published", (await WaitForHandledAsync(meeting.InstanceId, 1)).GetProperty("lastIgnored").GetString());
        // Archive of a meeting that is not Concluded: no minutes, and the workflow goes on.
        await Client.RaiseEventAsync(meeting.InstanceId, MeetingCommand.EventName, new MeetingCommand("archive"));
        Assert.Equal("archive: the meeting is Draft, not Concluded", (await WaitForHandledAsync(meeting.InstanceId, 2)).GetProperty("lastIgnored").GetString());
        Assert.Empty(_calls);

        // Published for real: version 1. A second publish or a "changed" with the plan unchanged builds nothing more.
        await SetStatusAsync(meeting.Id, MeetingStatus.Published);
        await Client.RaiseEventAsync(meeting.InstanceId, MeetingCommand.EventName, new MeetingCommand("publish"));
        Assert.Equal(1, (await WaitForHandledAsync(meeting.InstanceId, 3)).GetProperty("packVersion").GetInt32());
        await Client.RaiseEventAsync(meeting.InstanceId, MeetingCommand.EventName, new MeetingCommand("publish"));
        Assert.Contains("built from the current plan", (await WaitForHandledAsync(meeting.InstanceId, 4)).GetProperty("lastIgnored").GetString());
        await Client.RaiseEventAsync(meeting.InstanceId, MeetingCommand.EventName, new MeetingCommand("changed"));
        await WaitForHandledAsync(meeting.InstanceId, 5);
        Assert.Equal(["build 1", "notify 1"], _calls);

        // A real change of the plan: version 2.
        await _store.ChangeAsync(meeting.Id, _ => true, m => m with { Plan = m.Plan with { Title = "Họp (bổ sung)" } }, _ => new AuditEntry("meeting-changed", "test"));
        await Client.RaiseEventAsync(meeting.InstanceId, MeetingCommand.EventName, new MeetingCommand("changed"));
        Assert.Equal(2, (await WaitForHandledAsync(meeting.InstanceId, 6)).GetProperty("packVersion").GetInt32());

        // Concluded: now archive is backed, and the workflow ends with the minutes.
        await SetStatusAsync(meeting.Id, MeetingStatus.Concluded);
        await Client.RaiseEventAsync(meeting.InstanceId, MeetingCommand.EventName, new MeetingCommand("archive"));
        var done = await Client.WaitForInstanceCompletionAsync(meeting.InstanceId, getInputsAndOutputs: true, Timeout());
        Assert.Equal(OrchestrationRuntimeStatus.Completed, done.RuntimeStatus);
        Assert.Equal("Archived", done.ReadOutputAs<string>());
        Assert.Equal(["build 1", "notify 1", "build 2", "notify 2", "archive"], _calls);
    }

    [Fact]
    public async Task A_workflow_started_for_another_meeting_ends_on_its_first_command_without_acting()
    {
        var meeting = await StartMeetingAsync(schedule: false);
        await SetStatusAsync(meeting.Id, MeetingStatus.Concluded);
        // Someone starts a MeetingWorkflow naming this meeting under an instance that is not the meeting's own.
        await Client.ScheduleNewOrchestrationInstanceAsync(MeetingWorkflow.Name, new MeetingWorkflowState(meeting.Id, 0), new StartOrchestrationOptions("forged-1"));
        await Client.RaiseEventAsync("forged-1", MeetingCommand.EventName, new MeetingCommand("archive"));
        var done = await Client.WaitForInstanceCompletionAsync("forged-1", getInputsAndOutputs: true, Timeout());
        Assert.Equal("ended", done.ReadOutputAs<string>());
        // And one started with an input that is not a meeting at all ends at once.
        await Client.ScheduleNewOrchestrationInstanceAsync(MeetingWorkflow.Name, "not a state", new StartOrchestrationOptions("forged-2"));
        Assert.Equal("ignored", (await Client.WaitForInstanceCompletionAsync("forged-2", getInputsAndOutputs: true, Timeout())).ReadOutputAs<string>());
        Assert.Empty(_calls);
        Assert.Equal(MeetingStatus.Concluded, (await _store.GetAsync(meeting.Id))!.Status);
    }

    [Fact]
    public async Task An_opinion_workflow_follows_the_stored_request_not_its_input()
    {
        var meeting = await StartMeetingAsync(schedule: false);
        await SetStatusAsync(meeting.Id, MeetingStatus.Published);

        // No request in the store: nobody is asked, nothing is closed.
        await Client.ScheduleNewOrchestrationInstanceAsync(OpinionWorkflow.Name, new OpinionInput(meeting.Id, 1, DateTime.UtcNow.AddSeconds(1)),
            new StartOrchestrationOptions(OpinionWorkflow.InstanceIdOf(meeting.Id, 1)));
        Assert.Equal("ignored", (await Client.WaitForInstanceCompletionAsync(OpinionWorkflow.InstanceIdOf(meeting.Id, 1), getInputsAndOutputs: true, Timeout())).ReadOutputAs<string>());
        Assert.Empty(_calls);

        // A stored request with a deadline three days away, started with an input claiming one second: the timers follow the store.
        var deadline = DateTime.UtcNow.AddDays(3);
        Assert.Equal(MeetingChange.Done, await _store.RequestOpinionsAsync(meeting.Id, 1, "Thông qua?", deadline, "test"));
        var instance = OpinionWorkflow.InstanceIdOf(meeting.Id, 1) + "-again";
        await Client.ScheduleNewOrchestrationInstanceAsync(OpinionWorkflow.Name, new OpinionInput(meeting.Id, 1, DateTime.UtcNow.AddSeconds(1)), new StartOrchestrationOptions(instance));
        // The instance id must be the request's own: this one is not, so it is ignored as well.
        Assert.Equal("ignored", (await Client.WaitForInstanceCompletionAsync(instance, getInputsAndOutputs: true, Timeout())).ReadOutputAs<string>());

        await Client.PurgeInstanceAsync(OpinionWorkflow.InstanceIdOf(meeting.Id, 1));
        await Client.ScheduleNewOrchestrationInstanceAsync(OpinionWorkflow.Name, new OpinionInput(meeting.Id, 1, DateTime.UtcNow.AddSeconds(1)),
            new StartOrchestrationOptions(OpinionWorkflow.InstanceIdOf(meeting.Id, 1)));
        await WaitUntilAsync(() => _calls.Contains("ask"));
        await Task.Delay(TimeSpan.FromSeconds(3));
        var status = (await Client.GetInstanceAsync(OpinionWorkflow.InstanceIdOf(meeting.Id, 1), getInputsAndOutputs: true))!;
        Assert.Equal(OrchestrationRuntimeStatus.Running, status.RuntimeStatus);
        using var custom = JsonDocument.Parse(status.SerializedCustomStatus!);
        Assert.Equal("asked", custom.RootElement.GetProperty("stage").GetString());
        Assert.InRange(custom.RootElement.GetProperty("deadline").GetDateTime().ToUniversalTime(), deadline.AddSeconds(-1), deadline.AddSeconds(1));
        Assert.Equal(["ask"], _calls);
        Assert.False((await _store.OpinionsAsync(meeting.Id)).Single().Closed);
    }

    [Fact]
    public async Task A_document_that_became_secret_on_an_open_item_keeps_the_pack_from_being_built()
    {
        var documentId = Guid.NewGuid().ToString("N");
        var now = DateTime.UtcNow;
        await _catalog.InsertAsync([(new DocumentRecord
        {
            Id = documentId, Office = "default", FileName = "a.pdf", Sha256 = new string('b', 64), ContentType = "application/pdf", SizeBytes = 1,
            Status = DocumentStatus.Approved, Languages = "vie", InstanceId = "digitise-" + documentId, ArchiveSha256 = new string('c', 64),
            Secrecy = SecrecyLevel.None, CreatedTime = now, LastUpdatedTime = now,
        }, new AuditEntry("received", "test"))]);
        var meeting = await StartMeetingAsync(documentIds: [documentId]);
        await SetStatusAsync(meeting.Id, MeetingStatus.Published);
        // Its stamp is read (or corrected) after the agenda was written.
        await _catalog.UpdateAsync(documentId, d => d with { Secrecy = SecrecyLevel.Mat }, new AuditEntry("fields-corrected", "test"));

        await Client.RaiseEventAsync(meeting.InstanceId, MeetingCommand.EventName, new MeetingCommand("publish"));
        Assert.Contains("now secret", (await WaitForHandledAsync(meeting.InstanceId, 1)).GetProperty("lastIgnored").GetString());
        Assert.Empty(_calls);
        Assert.Contains("pack-refused", (await _store.Audit.ForDocumentAsync(meeting.AuditKey)).Select(e => e.Action));
    }

    private async Task<MeetingRecord> StartMeetingAsync(bool schedule = true, IReadOnlyList<string>? documentIds = null)
    {
        var plan = new MeetingPlan("Họp giao ban", DateTime.UtcNow.AddDays(7), "Phòng 1", null, null, null,
            [new MeetingParticipant("a@hop.vn", null), new MeetingParticipant("b@hop.vn", null)],
            [new AgendaItem(1, "Báo cáo", null, documentIds ?? [], documentIds is null ? "để biết" : null, null)]);
        var meeting = await _store.CreateAsync("default", plan, "test");
        if (schedule)
            await Client.ScheduleNewOrchestrationInstanceAsync(MeetingWorkflow.Name, new MeetingWorkflowState(meeting.Id, 0), new StartOrchestrationOptions(meeting.InstanceId));
        return meeting;
    }

    private Task SetStatusAsync(string id, MeetingStatus status) =>
        _store.ChangeAsync(id, _ => true, m => m with { Status = status }, _ => new AuditEntry("test-status", "test"));

    // Running and waiting again, having taken <paramref name="handled"/> command events in all (each ends its execution with ContinueAsNew).
    private async Task<JsonElement> WaitForHandledAsync(string instanceId, int handled)
    {
        JsonElement custom = default;
        OrchestrationMetadata? status = null;
        await WaitUntilAsync(async () =>
        {
            status = await Client.GetInstanceAsync(instanceId, getInputsAndOutputs: true);
            if (status is null || status.SerializedCustomStatus is null) return false;
            Assert.True(status.RuntimeStatus is OrchestrationRuntimeStatus.Running or OrchestrationRuntimeStatus.Pending, $"{instanceId} is {status.RuntimeStatus}: {status.FailureDetails}");
            custom = JsonDocument.Parse(status.SerializedCustomStatus).RootElement.Clone();
            return custom.GetProperty("stage").GetString() == "waiting" && custom.GetProperty("handled").GetInt32() == handled;
        }, () => $"{instanceId}: {status?.RuntimeStatus} input {status?.SerializedInput} custom {status?.SerializedCustomStatus} output {status?.SerializedOutput}");
        return custom;
    }

    private static CancellationToken Timeout() => new CancellationTokenSource(TimeSpan.FromSeconds(60)).Token;

    private static Task WaitUntilAsync(Func<bool> done) => WaitUntilAsync(() => Task.FromResult(done()));

    private static async Task WaitUntilAsync(Func<Task<bool>> done, Func<string>? describe = null)
    {
        var until = DateTime.UtcNow.AddSeconds(30);
        while (!await done())
        {
            if (DateTime.UtcNow > until) throw new TimeoutException("The workflow did not get there in 30 s: " + describe?.Invoke());
            await Task.Delay(100);
        }
    }
}
