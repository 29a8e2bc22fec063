using Pipeline.Functions.Hosting;

// Content root is the working directory: ./host.json and ./data are found there (see README).
PipelineApplication.Build(args, Directory.GetCurrentDirectory()).Run();
