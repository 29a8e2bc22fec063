using System.Net;
using System.Text.Json;

namespace Pipeline.Host.Tests;

/// <summary>Routes come from the functions' httpTrigger metadata, with ASP.NET Core's template semantics and precedence.</summary>
public sealed class RoutingTests(HostFixture fixture) : IClassFixture<HostFixture>
{
    private readonly HttpClient _client = fixture.Host.CreateClient();

    [Fact]
    public async Task Route_value_binds_to_a_string_parameter()
        => Assert.Equal("Hello World", await _client.GetStringAsync("hello/World"));

    [Fact]
    public async Task Constrained_route_value_binds_to_an_int_parameter()
    {
        using var item = JsonDocument.Parse(await _client.GetStringAsync("items/42"));
        Assert.Equal(42, item.RootElement.GetProperty("id").GetInt32());
    }

    [Fact]
    public async Task Literal_segment_takes_precedence_over_a_parameter()
    {
        using var item = JsonDocument.Parse(await _client.GetStringAsync("items/special"));
        Assert.Equal("literal", item.RootElement.GetProperty("kind").GetString());
    }

    [Fact]
    public async Task Path_failing_a_constraint_is_a_404_problem()
    {
        var problem = await Problems.AssertProblemAsync(await _client.GetAsync("hello/123"), HttpStatusCode.NotFound);
        Assert.Equal("No function answers this path", problem.Title());
        await Problems.AssertProblemAsync(await _client.GetAsync("items/notanumber"), HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Optional_and_catch_all_parameters_match()
    {
        Assert.Equal("(none)", await _client.GetStringAsync("optional"));
        Assert.Equal("given", await _client.GetStringAsync("optional/given"));
        Assert.Equal("a/b/c.txt", await _client.GetStringAsync("files/a/b/c.txt"));
    }

    [Fact]
    public async Task Function_without_a_route_answers_at_its_name()
        => Assert.Equal("named", await _client.GetStringAsync("NamedRoute"));

    [Fact]
    public async Task Route_prefix_from_host_json_is_honoured()
    {
        using var root = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{fixture.Host.Port}/") };
        Assert.Equal("Hello Ada", await root.GetStringAsync("testapi/hello/Ada"));
        await Problems.AssertProblemAsync(await root.GetAsync("api/hello/Ada"), HttpStatusCode.NotFound);
        await Problems.AssertProblemAsync(await root.GetAsync("hello/Ada"), HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Only_the_declared_methods_are_accepted()
    {
        Assert.Equal("POST", await (await _client.PostAsync("things", null)).Content.ReadAsStringAsync());
        Assert.Equal("PUT", await (await _client.PutAsync("things", null)).Content.ReadAsStringAsync());
        var response = await _client.GetAsync("things");
        var problem = await Problems.AssertProblemAsync(response, HttpStatusCode.MethodNotAllowed);
        Assert.Equal("This function does not accept this HTTP method", problem.Title());
        Assert.Equal(["POST", "PUT"], response.Content.Headers.Allow.Order());
    }
}
