using System.Net;
using System.Text;
using System.Text.Json;
using Pipeline.Functions.Tests.Documents;

namespace Pipeline.Functions.Tests.Approval;

/// <summary>Named routes and office roles over HTTP, against the running app, as an administrator's tool uses them.</summary>
public sealed class ApprovalDirectoryApiTests(PipelineAppFixture fixture) : IClassFixture<PipelineAppFixture>
{
    private const string Route = """
        {"escalation":"chanh.vp@tinhuy.vn","steps":[
          {"name":"Phòng Tổng hợp","approvers":["role:approver@vp-tinh-uy"],"mode":"all","due":"P2D"},
          {"name":"Chánh Văn phòng","approvers":["cvp@tinhuy.vn"],"due":"PT12H"}]}
        """;

    [Fact]
    public async Task A_route_put_is_answered_back_listed_and_kept_in_the_data_directory()
    {
        using var put = await fixture.Client.PutAsync("/api/approval-routes/van-ban-di", Json(Route));
        var stored = await OkAsync(put);
        Assert.Equal("van-ban-di", stored.GetProperty("name").GetString());

        using var get = await fixture.Client.GetAsync("/api/approval-routes/van-ban-di");
        var route = await OkAsync(get);
        Assert.Equal("van-ban-di", route.GetProperty("name").GetString());
        Assert.Equal("chanh.vp@tinhuy.vn", route.GetProperty("escalation").GetString());
        Assert.Equal(["Phòng Tổng hợp", "Chánh Văn phòng"], route.GetProperty("steps").EnumerateArray().Select(s => s.GetProperty("name").GetString()));

        using var list = await fixture.Client.GetAsync("/api/approval-routes");
        var routes = (await OkAsync(list)).GetProperty("routes").EnumerateArray().ToList();
        Assert.Contains(routes, r => r.GetProperty("name").GetString() == "van-ban-di" && r.GetProperty("steps").GetArrayLength() == 2);

        Assert.Contains("van-ban-di", File.ReadAllText(Path.Combine(fixture.App.DataDirectory, "routes.json")));
    }

    [Fact]
    public async Task A_broken_route_is_a_400_listing_every_mistake_and_is_not_stored()
    {
        using var put = await fixture.Client.PutAsync("/api/approval-routes/broken",
            Json("""{"steps":[{"approvers":["not an address"],"mode":"most","due":"soon"},{"approvers":[],"due":"P1D"}]}"""));

        var problem = await DocumentsHttp.ProblemAsync(put, HttpStatusCode.BadRequest);
        Assert.Equal("The route has mistakes", problem.GetProperty("title").GetString());
        var errors = problem.GetProperty("errors").EnumerateArray().Select(e => e.GetString()!).ToList();
        Assert.Contains(errors, e => e.StartsWith("steps[0].approvers[0]"));
        Assert.Contains(errors, e => e.StartsWith("steps[0].mode"));
        Assert.Contains(errors, e => e.StartsWith("steps[0].due"));
        Assert.Contains(errors, e => e.StartsWith("steps[1].approvers"));

        using var get = await fixture.Client.GetAsync("/api/approval-routes/broken");
        await DocumentsHttp.ProblemAsync(get, HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task A_body_that_is_not_json_is_a_400_problem()
    {
        using var put = await fixture.Client.PutAsync("/api/approval-routes/van-ban-den", Json("""{"steps":["""));

        var problem = await DocumentsHttp.ProblemAsync(put, HttpStatusCode.BadRequest);
        Assert.Equal("The request body is not valid JSON", problem.GetProperty("title").GetString());
    }

    [Fact]
    public async Task A_deleted_route_is_gone()
    {
        using var put = await fixture.Client.PutAsync("/api/approval-routes/tam-thoi", Json(Route));
        await OkAsync(put);

        using var delete = await fixture.Client.DeleteAsync("/api/approval-routes/tam-thoi");
        Assert.Equal(HttpStatusCode.NoContent, delete.StatusCode);
        using var again = await fixture.Client.DeleteAsync("/api/approval-routes/tam-thoi");
        await DocumentsHttp.ProblemAsync(again, HttpStatusCode.NotFound);
    }

    [Theory]
    [InlineData("GET", "/api/approval-routes")]
    [InlineData("PUT", "/api/approval-routes/khong-co-khoa")]
    [InlineData("PUT", "/api/offices/khong-co-khoa/roles/approver")]
    public async Task Without_the_key_it_is_a_401_and_nothing_changes(string method, string path)
    {
        // Bodies that would change something if they got through.
        var body = path.Contains("/roles/")
            ? """{"members":["x@y.vn"]}"""
            : """{"steps":[{"name":"Chánh Văn phòng","approvers":["x@y.vn"],"mode":"any","due":"P2D"}]}""";
        using var request = new HttpRequestMessage(new HttpMethod(method), path) { Content = method == "PUT" ? Json(body) : null };
        using var response = await fixture.Anonymous.SendAsync(request);

        await DocumentsHttp.ProblemAsync(response, HttpStatusCode.Unauthorized);
        if (method != "PUT") return;
        using var after = await fixture.Client.GetAsync(path);
        if (path.Contains("/roles/"))
        {
            Assert.Equal(HttpStatusCode.OK, after.StatusCode);
            Assert.DoesNotContain("x@y.vn", await after.Content.ReadAsStringAsync());
        }
        else
        {
            Assert.Equal(HttpStatusCode.NotFound, after.StatusCode);
        }
    }

    [Fact]
    public async Task Roles_put_are_read_back_for_the_role_and_the_office()
    {
        using var put = await fixture.Client.PutAsync("/api/offices/vp-tinh-uy/roles/approver", Json("""{"members":["A.Nguyen@TinhUy.vn","b.tran@tinhuy.vn"]}"""));
        var set = await OkAsync(put);
        Assert.Equal(["a.nguyen@tinhuy.vn", "b.tran@tinhuy.vn"], set.GetProperty("members").EnumerateArray().Select(m => m.GetString()));

        using var getRole = await fixture.Client.GetAsync("/api/offices/vp-tinh-uy/roles/approver");
        var role = await OkAsync(getRole);
        Assert.Equal(("vp-tinh-uy", "approver"), (role.GetProperty("office").GetString(), role.GetProperty("role").GetString()));
        Assert.Equal(["a.nguyen@tinhuy.vn", "b.tran@tinhuy.vn"], role.GetProperty("members").EnumerateArray().Select(m => m.GetString()));

        using var getOffice = await fixture.Client.GetAsync("/api/offices/vp-tinh-uy/roles");
        var office = await OkAsync(getOffice);
        Assert.Equal("vp-tinh-uy", office.GetProperty("office").GetString());
        Assert.Equal(2, office.GetProperty("roles").GetProperty("approver").GetArrayLength());
    }

    [Fact]
    public async Task Bad_members_are_a_400_listing_every_mistake()
    {
        using var put = await fixture.Client.PutAsync("/api/offices/vp-tinh-uy/roles/boss", Json("""{"members":["nobody","x@y.vn","x@y.vn"]}"""));

        var problem = await DocumentsHttp.ProblemAsync(put, HttpStatusCode.BadRequest);
        var errors = problem.GetProperty("errors").EnumerateArray().Select(e => e.GetString()!).ToList();
        Assert.Contains(errors, e => e.Contains("\"boss\" is not a role"));
        Assert.Contains(errors, e => e.StartsWith("members[0] \"nobody\""));
        Assert.Contains(errors, e => e.StartsWith("members[2] x@y.vn is listed twice"));
    }

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    private static async Task<JsonElement> OkAsync(HttpResponseMessage response)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"expected 200, got {(int)response.StatusCode}: {body}");
        return JsonDocument.Parse(body).RootElement.Clone();
    }
}
