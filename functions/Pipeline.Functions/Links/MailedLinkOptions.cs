namespace Pipeline.Functions.Links;

/// <summary>
/// Settings of the pages people reach from links in mail. They are read from host.json's <c>pipeline.approvals</c>
/// section (<c>publicBaseUrl</c>, <c>maxLinkRequestsPerMinute</c>, <c>maxFailedLinksPerMinute</c>), where approvals
/// introduced them; meetings use the same ones.
/// </summary>
/// <param name="PublicBaseUrl">The address people reach the app at, or null to use the one observed (<see cref="PublicAddress"/>).</param>
/// <param name="MaxRequestsPerMinute">Requests per minute and client address, of any kind.</param>
/// <param name="MaxFailuresPerMinute">Failed link checks per minute and client address.</param>
public sealed record MailedLinkOptions(Uri? PublicBaseUrl, int MaxRequestsPerMinute, int MaxFailuresPerMinute);
