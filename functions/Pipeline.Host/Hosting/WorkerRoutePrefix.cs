namespace Pipeline.Host.Hosting;

/// <summary>
/// The worker routes each forwarded request again, with the route prefix of the host.json in its app directory
/// (FUNCTIONS_APPLICATION_DIRECTORY; Worker.Extensions.Http.AspNetCore's FunctionsEndpointDataSource). A request the
/// host matched with a different prefix would find no function there and hang until the worker gives up, so the
/// host refuses to start with a prefix the worker does not share.
/// </summary>
public static class WorkerRoutePrefix
{
    /// <summary>The prefix the worker will use: the app's host.json <c>extensions.http.routePrefix</c>, else "api".</summary>
    public static string Read(AppDirectory app)
    {
        if (!File.Exists(app.HostJsonPath)) return new FunctionsHostOptions().RoutePrefix;
        var configuration = new ConfigurationBuilder().AddJsonFile(app.HostJsonPath, optional: false, reloadOnChange: false).Build();
        return FunctionsHostOptions.Read(configuration).RoutePrefix;
    }

    /// <summary>Throws <see cref="InvalidOperationException"/> naming both when <paramref name="hostOptions"/>' prefix is not the worker's.</summary>
    public static void EnsureSame(FunctionsHostOptions hostOptions, AppDirectory app)
    {
        var worker = Read(app);
        if (string.Equals(worker, hostOptions.RoutePrefix, StringComparison.OrdinalIgnoreCase)) return;
        throw new InvalidOperationException(
            $"host.json extensions.http.routePrefix is \"{hostOptions.RoutePrefix}\" for the host but \"{worker}\" in {app.HostJsonPath}, which the worker routes by. Make them the same.");
    }
}
