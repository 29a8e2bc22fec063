using System.Text;

namespace Pipeline.Durable.Storage;

/// <summary>Opaque paging token: the (created time, instance id) of the last instance of a page.</summary>
internal static class ContinuationToken
{
    public static string Create(long createdTicks, string instanceId)
        => Convert.ToBase64String(Encoding.UTF8.GetBytes($"{createdTicks}|{instanceId}"));

    public static bool TryParse(string? token, out long createdTicks, out string instanceId)
    {
        createdTicks = 0;
        instanceId = "";
        if (string.IsNullOrEmpty(token)) return false;
        try
        {
            var text = Encoding.UTF8.GetString(Convert.FromBase64String(token));
            var bar = text.IndexOf('|');
            if (bar <= 0 || !long.TryParse(text[..bar], out createdTicks)) return false;
            instanceId = text[(bar + 1)..];
            return true;
        }
        catch (FormatException)
        {
            return false;
        }
    }
}
