using Pipeline.Functions.Approval;

namespace Pipeline.Functions.Tests.Approval;

public sealed class OfficeDirectoryTests : IDisposable
{
    private readonly string _data = Directory.CreateTempSubdirectory("office-directory-").FullName;

    public void Dispose() => PipelineApp.DeleteDirectory(_data);

    [Fact]
    public void No_file_is_an_empty_directory()
    {
        var directory = new OfficeDirectory(_data);

        Assert.Empty(directory.Roles("vp-tinh-uy"));
        Assert.Empty(directory.Members("vp-tinh-uy", "approver"));
    }

    [Fact]
    public async Task Members_set_are_read_back_by_a_new_instance_from_the_file()
    {
        var directory = new OfficeDirectory(_data);

        Assert.Empty(await directory.SetMembersAsync("vp-tinh-uy", "approver", ["A.Nguyen@TinhUy.vn", "b.tran@tinhuy.vn"], CancellationToken.None));
        Assert.Empty(await directory.SetMembersAsync("vp-tinh-uy", "Secretary", ["c.le@tinhuy.vn"], CancellationToken.None));

        var reread = new OfficeDirectory(_data);
        Assert.Equal(["a.nguyen@tinhuy.vn", "b.tran@tinhuy.vn"], reread.Members("vp-tinh-uy", "approver"));
        Assert.Equal(["c.le@tinhuy.vn"], reread.Members("vp-tinh-uy", "secretary"));
        Assert.Equal(["approver", "secretary"], reread.Roles("vp-tinh-uy").Keys);
        Assert.Empty(Directory.GetFiles(_data, "*.tmp"));
    }

    [Fact]
    public async Task An_empty_list_removes_the_role()
    {
        var directory = new OfficeDirectory(_data);
        await directory.SetMembersAsync("vp-tinh-uy", "approver", ["a@tinhuy.vn"], CancellationToken.None);

        Assert.Empty(await directory.SetMembersAsync("vp-tinh-uy", "approver", [], CancellationToken.None));

        Assert.Empty(new OfficeDirectory(_data).Roles("vp-tinh-uy"));
    }

    [Fact]
    public async Task Every_problem_of_a_change_is_named_at_once_and_nothing_is_written()
    {
        var directory = new OfficeDirectory(_data);

        var problems = await directory.SetMembersAsync("vp tinh uy", "boss", ["not an address", "x@y.vn", "X@Y.vn"], CancellationToken.None);

        Assert.Contains(problems, p => p.Contains("\"vp tinh uy\" is not an office id"));
        Assert.Contains(problems, p => p.Contains("\"boss\" is not a role"));
        Assert.Contains(problems, p => p.StartsWith("members[0] \"not an address\""));
        Assert.Contains(problems, p => p.StartsWith("members[2] x@y.vn is listed twice"));
        Assert.False(File.Exists(directory.FilePath));
    }

    [Fact]
    public async Task Concurrent_changes_all_land()
    {
        var directory = new OfficeDirectory(_data);

        var offices = Enumerable.Range(0, 40).Select(i => $"office-{i}").ToList();
        var results = await Task.WhenAll(offices.Select(o => Task.Run(() => directory.SetMembersAsync(o, "approver", [$"head@{o}.vn"], CancellationToken.None))));

        Assert.All(results, r => Assert.Empty(r));
        var reread = new OfficeDirectory(_data);
        Assert.All(offices, o => Assert.Equal([$"head@{o}.vn"], reread.Members(o, "approver")));
    }

    [Fact]
    public async Task Resolve_expands_roles_to_their_members_and_keeps_emails_without_duplicates()
    {
        var directory = new OfficeDirectory(_data);
        await directory.SetMembersAsync("vp-tinh-uy", "approver", ["a@tinhuy.vn", "b@tinhuy.vn"], CancellationToken.None);

        var (approvers, problems) = directory.Resolve(["b@tinhuy.vn", "role:approver@vp-tinh-uy", "cvp@tinhuy.vn"]);

        Assert.Empty(problems);
        Assert.Equal(["b@tinhuy.vn", "a@tinhuy.vn", "cvp@tinhuy.vn"], approvers);
    }

    [Fact]
    public void Resolve_says_how_to_fill_a_role_nobody_holds()
    {
        var (_, problems) = new OfficeDirectory(_data).Resolve(["role:approver@vp-tinh-uy", "a@tinhuy.vn"]);

        Assert.Equal(["role:approver@vp-tinh-uy has nobody in it: add people with PUT /api/offices/vp-tinh-uy/roles/approver"], problems);
    }

    [Fact]
    public void A_malformed_file_stops_construction_naming_the_file_and_every_problem()
    {
        var path = Path.Combine(_data, "directory.json");
        File.WriteAllText(path, """{"offices":{"vp-tinh-uy":{"approver":["a@tinhuy.vn","nobody"],"boss":["b@tinhuy.vn"]},"bad office":{}}}""");

        var error = Assert.Throws<InvalidOperationException>(() => new OfficeDirectory(_data));

        Assert.Contains(path, error.Message);
        Assert.Contains("\"nobody\" is not an email address", error.Message);
        Assert.Contains("\"boss\" is not a role", error.Message);
        Assert.Contains("\"bad office\" is not an office id", error.Message);
    }

    [Fact]
    public void A_file_that_is_not_json_stops_construction_naming_the_file()
    {
        var path = Path.Combine(_data, "directory.json");
        File.WriteAllText(path, """{"offices":{"vp-tinh-uy":""");

        var error = Assert.Throws<InvalidOperationException>(() => new OfficeDirectory(_data));

        Assert.Contains(path, error.Message);
        Assert.Contains("not valid JSON", error.Message);
    }
}
