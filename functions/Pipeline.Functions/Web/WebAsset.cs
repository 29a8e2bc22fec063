namespace Pipeline.Functions.Web;

/// <summary>
/// One file of the app's <c>wwwroot</c>, read once: its <paramref name="Name"/> relative to <c>wwwroot</c> (with
/// <c>/</c> separators), its <paramref name="ContentType"/>, its bytes and a strong <paramref name="ETag"/> (quoted) that
/// changes whenever a byte does.
/// </summary>
public sealed record WebAsset(string Name, string ContentType, ReadOnlyMemory<byte> Content, string ETag);
