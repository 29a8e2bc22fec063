using System.Buffers;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;

namespace Pipeline.Host.TestApp;

/// <summary>Large bodies both ways, streamed: nothing is held whole in memory here either.</summary>
public sealed class StreamingFunctions
{
    /// <summary>Reads the body as it arrives; answers its size and SHA-256.</summary>
    [Function("Upload")]
    public async Task<IResult> Upload([HttpTrigger(AuthorizationLevel.Function, "post", Route = "upload")] HttpRequest request)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = ArrayPool<byte>.Shared.Rent(81920);
        long size = 0;
        try
        {
            int read;
            while ((read = await request.Body.ReadAsync(buffer, request.HttpContext.RequestAborted)) > 0)
            {
                hash.AppendData(buffer, 0, read);
                size += read;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
        return Results.Json(new { size, sha256 = Convert.ToHexStringLower(hash.GetHashAndReset()) });
    }

    /// <summary>Writes <paramref name="megabytes"/> MiB of <see cref="DownloadPattern"/> bytes as they are made.</summary>
    [Function("Download")]
    public async Task Download([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "download/{megabytes:int}")] HttpRequest request, int megabytes)
    {
        var response = request.HttpContext.Response;
        response.ContentType = "application/octet-stream";
        response.ContentLength = megabytes * 1024L * 1024L;
        var chunk = DownloadPattern.Chunk();
        for (var i = 0; i < megabytes * 16; i++) await response.Body.WriteAsync(chunk, request.HttpContext.RequestAborted);
    }
}

/// <summary>The download's content: 64 KiB blocks of bytes 0, 1, …, 255, 0, 1, ….</summary>
public static class DownloadPattern
{
    /// <summary>One 64 KiB block.</summary>
    public static byte[] Chunk()
    {
        var chunk = new byte[64 * 1024];
        for (var i = 0; i < chunk.Length; i++) chunk[i] = (byte)i;
        return chunk;
    }
}
