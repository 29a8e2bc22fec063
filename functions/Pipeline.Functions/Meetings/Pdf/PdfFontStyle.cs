namespace Pipeline.Functions.Meetings.Pdf;

/// <summary>The faces of the serif family a meeting PDF is set in.</summary>
public enum PdfFontStyle
{
    /// <summary>Body text.</summary>
    Regular,

    /// <summary>Headings, the national motto's first line, labels.</summary>
    Bold,

    /// <summary>Notes, places and dates under a heading.</summary>
    Italic,
}
