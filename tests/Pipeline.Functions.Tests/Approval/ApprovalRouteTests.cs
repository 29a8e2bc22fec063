using System.Text.Json.Nodes;
using Pipeline.Functions.Approval;

namespace Pipeline.Functions.Tests.Approval;

public sealed class ApprovalRouteTests
{
    [Fact]
    public void An_inline_route_is_read_with_its_steps_modes_due_times_and_escalation()
    {
        var (route, problems) = ApprovalRoutes.Parse(JsonNode.Parse("""
            {"escalation":"chanh.vp@tinhuy.vn","steps":[
              {"name":"Phòng Tổng hợp","approvers":["A.Nguyen@TinhUy.vn","role:approver@vp-tinh-uy"],"mode":"all","due":"P2D"},
              {"name":"Chánh Văn phòng","approvers":["cvp@tinhuy.vn"],"due":"PT12H","escalation":"bi.thu@tinhuy.vn"}]}
            """));

        Assert.Empty(problems);
        Assert.Equal(2, route!.Steps.Count);
        Assert.Equal(["a.nguyen@tinhuy.vn", "role:approver@vp-tinh-uy"], route.Steps[0].Approvers);
        Assert.Equal((ApprovalMode.All, TimeSpan.FromDays(2), "chanh.vp@tinhuy.vn"), (route.Steps[0].Mode, route.Steps[0].Due, route.Steps[0].EscalationContact));
        Assert.Equal((ApprovalMode.Any, TimeSpan.FromHours(12), "bi.thu@tinhuy.vn"), (route.Steps[1].Mode, route.Steps[1].Due, route.Steps[1].EscalationContact));
    }

    [Fact]
    public void Every_problem_of_a_bad_route_is_named_at_once()
    {
        var (route, problems) = ApprovalRoutes.Parse(JsonNode.Parse("""
            {"steps":[{"approvers":["not an address","x@y.vn","x@y.vn"],"mode":"most","due":"soon"},{"approvers":[],"due":"P1D"}]}
            """));

        Assert.Null(route);
        Assert.Contains(problems, p => p.StartsWith("steps[0].approvers[0]"));
        Assert.Contains(problems, p => p.Contains("listed twice"));
        Assert.Contains(problems, p => p.StartsWith("steps[0].mode \"most\""));
        Assert.Contains(problems, p => p.StartsWith("steps[0].due"));
        Assert.Contains(problems, p => p.StartsWith("steps[1].approvers"));
    }

    [Theory]
    [InlineData("[]")]
    [InlineData("{}")]
    [InlineData("""{"steps":[]}""")]
    public void Something_that_is_not_a_route_is_refused(string json)
        => Assert.Null(ApprovalRoutes.Parse(JsonNode.Parse(json)).Route);

    [Fact]
    public void A_header_injection_in_an_approver_address_is_refused()
        => Assert.NotEmpty(ApprovalRoutes.Parse(JsonNode.Parse("""{"steps":[{"approvers":["a@b.vn\r\nBcc: c@d.vn"],"due":"P1D"}]}""")).Problems);
}
