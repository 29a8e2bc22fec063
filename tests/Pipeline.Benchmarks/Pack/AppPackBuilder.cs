using System.Reflection;
using System.Runtime.Loader;
using Pipeline.Testing;

namespace Pipeline.Benchmarks.Pack;

/// <summary>One document of a pack: its label, archive PDF and page count.</summary>
internal sealed record BenchDocument(string Label, string PdfPath, int Pages);

/// <summary>
/// Calls <c>Pipeline.Functions.Meetings.MeetingPackBuilder</c> in the built app (bin/Release), in this process.
/// The benchmark project builds the app but does not link it (its other benchmarks run it as the worker of our host,
/// see <see cref="HostedApp"/>), so the assembly is loaded from the same output folder the host's <c>--app</c> names and the builder reached by reflection: the same code the app runs,
/// with its internal overload that starts qpdf under <c>/usr/bin/time</c> to measure qpdf's peak memory.
/// </summary>
internal sealed class AppPackBuilder
{
    private readonly Assembly _app;
    private readonly MethodInfo _build;

    private AppPackBuilder(Assembly app)
    {
        _app = app;
        _build = Type("MeetingPackBuilder").GetMethods(BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic)
            .Single(m => m.Name == "BuildAsync" && m.GetParameters().Length == 6);
    }

    /// <summary>Loads the app assembly (its own dependencies resolve from the same folder).</summary>
    public static AppPackBuilder Load()
    {
        var folder = HostedApp.AppDirectory;
        var dll = Path.Combine(folder, "Pipeline.Functions.dll");
        if (!File.Exists(dll)) throw new FileNotFoundException("Build the app first: dotnet build -c Release (the benchmark project does it).", dll);
        AssemblyLoadContext.Default.Resolving += (context, name) =>
            File.Exists(Path.Combine(folder, name.Name + ".dll")) ? context.LoadFromAssemblyPath(Path.Combine(folder, name.Name + ".dll")) : null;
        return new AppPackBuilder(AssemblyLoadContext.Default.LoadFromAssemblyPath(dll));
    }

    /// <summary>Builds a pack of one item per document (as the memory test does); returns its page count.</summary>
    public async Task<int> BuildAsync(IReadOnlyList<BenchDocument> documents, string output, string? watermark, string work,
        IReadOnlyList<string> qpdfCommand)
    {
        var documentType = Type("PackDocument");
        var itemType = Type("PackItem");
        var items = Array.CreateInstance(itemType, documents.Count);
        for (var i = 0; i < documents.Count; i++)
        {
            var list = Array.CreateInstance(documentType, 1);
            list.SetValue(Activator.CreateInstance(documentType, documents[i].Label, documents[i].PdfPath, documents[i].Pages), 0);
            items.SetValue(Activator.CreateInstance(itemType, i + 1, $"Nội dung thứ {i + 1} của kỳ họp", "Văn phòng", list, null), i);
        }
        var plan = Activator.CreateInstance(Type("PackPlan"), "Hội nghị Ban Thường vụ (benchmark)",
            new DateTimeOffset(2026, 12, 15, 1, 0, 0, TimeSpan.Zero), "Phòng họp số 1", "Đồng chí Bí thư", 1, items);

        var task = (Task)_build.Invoke(null, [plan, output, watermark, work, qpdfCommand, CancellationToken.None])!;
        await task;
        var layout = task.GetType().GetProperty("Result")!.GetValue(task)!;
        return (int)layout.GetType().GetProperty("TotalPages")!.GetValue(layout)!;
    }

    private Type Type(string name) => _app.GetType("Pipeline.Functions.Meetings." + name, throwOnError: true)!;
}
