namespace Pipeline.Functions.Intake;

/// <summary>The file formats a scan may arrive in, recognised by their bytes, never by the file name.</summary>
public enum ScanFormat
{
    /// <summary>Not a format Pipeline takes.</summary>
    Unknown,
    /// <summary>PDF (<c>%PDF-</c>).</summary>
    Pdf,
    /// <summary>TIFF, possibly multi-page (<c>II*\0</c> or <c>MM\0*</c>).</summary>
    Tiff,
    /// <summary>JPEG (<c>FF D8 FF</c>).</summary>
    Jpeg,
    /// <summary>PNG (<c>89 PNG \r\n 1A \n</c>).</summary>
    Png,
}

/// <summary>Recognises a scan's format from its first bytes.</summary>
public static class ScanFormats
{
    /// <summary>How many leading bytes <see cref="Detect"/> needs at most.</summary>
    public const int HeaderLength = 1024;

    /// <summary>
    /// The format of a file starting with <paramref name="header"/>. PDF files may carry junk before <c>%PDF-</c>
    /// (scanners and mail gateways add some); readers accept it within the first 1024 bytes, and so does this.
    /// </summary>
    public static ScanFormat Detect(ReadOnlySpan<byte> header)
    {
        if (header.StartsWith((ReadOnlySpan<byte>)[0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])) return ScanFormat.Png;
        if (header.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xD8, 0xFF])) return ScanFormat.Jpeg;
        if (header.StartsWith("II*\0"u8) || header.StartsWith("MM\0*"u8)) return ScanFormat.Tiff;
        if (header[..Math.Min(header.Length, HeaderLength)].IndexOf("%PDF-"u8) >= 0) return ScanFormat.Pdf;
        return ScanFormat.Unknown;
    }

    /// <summary>The media type to serve the original with.</summary>
    public static string ContentType(this ScanFormat format) => format switch
    {
        ScanFormat.Pdf => "application/pdf",
        ScanFormat.Tiff => "image/tiff",
        ScanFormat.Jpeg => "image/jpeg",
        ScanFormat.Png => "image/png",
        _ => "application/octet-stream",
    };
}
