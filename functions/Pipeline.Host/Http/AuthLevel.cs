namespace Pipeline.Host.Http;

/// <summary>Who may call an HTTP endpoint, as Azure Functions' <c>authLevel</c>.</summary>
public enum AuthLevel
{
    /// <summary>Anyone; no key.</summary>
    Anonymous,

    /// <summary>A function key (the host's <c>default</c> key) or the master key.</summary>
    Function,

    /// <summary>The master key only.</summary>
    Admin,
}
