using System.Text.Json.Nodes;
using Pipeline.Functions.Approval;

namespace Pipeline.Functions.Tests.Approval;

public sealed class RouteCatalogTests : IDisposable
{
    private const string VanBanDi = """
        {"escalation":"chanh.vp@tinhuy.vn","steps":[
          {"name":"Phòng Tổng hợp","approvers":["role:approver@vp-tinh-uy"],"mode":"all","due":"P2D"},
          {"name":"Chánh Văn phòng","approvers":["cvp@tinhuy.vn"],"due":"PT12H"}]}
        """;

    private readonly string _data = Directory.CreateTempSubdirectory("route-catalog-").FullName;

    public void Dispose() => PipelineApp.DeleteDirectory(_data);

    [Fact]
    public async Task A_route_put_is_read_back_by_a_new_instance_from_the_file()
    {
        var catalog = new RouteCatalog(_data);

        Assert.Empty(await catalog.PutAsync("van-ban-di", JsonNode.Parse(VanBanDi), CancellationToken.None));

        var reread = new RouteCatalog(_data);
        Assert.Equal(["van-ban-di"], reread.Names());
        var route = reread.Get("van-ban-di")!;
        Assert.Equal("van-ban-di", route.Name);
        Assert.Equal(["Phòng Tổng hợp", "Chánh Văn phòng"], route.Steps.Select(s => s.Name));
        Assert.Equal(["role:approver@vp-tinh-uy"], route.Steps[0].Approvers);
        Assert.Equal("chanh.vp@tinhuy.vn", route.EscalationContact);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(VanBanDi), reread.GetJson("van-ban-di")));
        Assert.Contains("Chánh Văn phòng", File.ReadAllText(catalog.FilePath)); // readable by an operator, not \u-escaped
    }

    [Fact]
    public async Task Every_problem_of_a_route_and_its_name_is_named_at_once_and_nothing_is_stored()
    {
        var catalog = new RouteCatalog(_data);

        var problems = await catalog.PutAsync("Văn Bản", JsonNode.Parse("""{"steps":[{"approvers":["not an address"],"mode":"most"}]}"""), CancellationToken.None);

        Assert.Contains(problems, p => p.Contains("\"Văn Bản\" is not a route name"));
        Assert.Contains(problems, p => p.StartsWith("steps[0].approvers[0]"));
        Assert.Contains(problems, p => p.StartsWith("steps[0].mode"));
        Assert.Contains(problems, p => p.StartsWith("steps[0].due"));
        Assert.Empty(catalog.Names());
        Assert.False(File.Exists(catalog.FilePath));
    }

    [Fact]
    public async Task A_deleted_route_is_gone_after_a_restart_and_deleting_it_again_says_so()
    {
        var catalog = new RouteCatalog(_data);
        await catalog.PutAsync("van-ban-di", JsonNode.Parse(VanBanDi), CancellationToken.None);
        await catalog.PutAsync("to-trinh", JsonNode.Parse(VanBanDi), CancellationToken.None);

        Assert.True(await catalog.DeleteAsync("van-ban-di", CancellationToken.None));
        Assert.False(await catalog.DeleteAsync("van-ban-di", CancellationToken.None));

        var reread = new RouteCatalog(_data);
        Assert.Equal(["to-trinh"], reread.Names());
        Assert.Null(reread.Get("van-ban-di"));
        Assert.Null(reread.GetJson("van-ban-di"));
    }

    [Fact]
    public async Task Concurrent_puts_all_land()
    {
        var catalog = new RouteCatalog(_data);
        var names = Enumerable.Range(0, 30).Select(i => $"route-{i}").ToList();

        var results = await Task.WhenAll(names.Select(n => Task.Run(() => catalog.PutAsync(n, JsonNode.Parse(VanBanDi), CancellationToken.None))));

        Assert.All(results, r => Assert.Empty(r));
        Assert.Equal(names.Order(StringComparer.Ordinal), new RouteCatalog(_data).Names());
    }

    [Fact]
    public void A_bad_route_in_the_file_stops_construction_naming_the_file_the_route_and_its_problems()
    {
        var path = Path.Combine(_data, "routes.json");
        File.WriteAllText(path, """{"routes":{"van-ban-di":""" + VanBanDi + ""","to-trinh":{"steps":[{"approvers":["x@y.vn"],"due":"soon"}],"escalation":"nobody"}}}""");

        var error = Assert.Throws<InvalidOperationException>(() => new RouteCatalog(_data));

        Assert.Contains(path, error.Message);
        Assert.Contains("route \"to-trinh\": steps[0].due", error.Message);
        Assert.Contains("route \"to-trinh\": escalation \"nobody\"", error.Message);
        Assert.DoesNotContain("van-ban-di", error.Message);
    }

    [Fact]
    public void A_file_that_is_not_json_stops_construction_naming_the_file()
    {
        var path = Path.Combine(_data, "routes.json");
        File.WriteAllText(path, "routes: van-ban-di");

        var error = Assert.Throws<InvalidOperationException>(() => new RouteCatalog(_data));

        Assert.Contains(path, error.Message);
        Assert.Contains("not valid JSON", error.Message);
    }
}
