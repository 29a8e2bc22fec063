using Pipeline.Host.Hosting;

return await FunctionsHostApplication.RunAsync(args);
