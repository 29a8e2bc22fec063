using System.Text;

namespace Pipeline.Benchmarks.Approvals;

/// <summary>
/// Tiny one-page PDFs whose only content is text in the standard Helvetica font. Poppler reads that as a text
/// layer, so the app takes it as is (no OCR) and a document is Digitised in well under a second; different lines
/// give different bytes, and so different documents (identical uploads are one document).
/// </summary>
internal static class TextPdf
{
    /// <summary>The PDF bytes: A4, the ASCII <paramref name="lines"/> top to bottom.</summary>
    public static byte[] Create(IEnumerable<string> lines)
    {
        var content = new StringBuilder("BT /F1 12 Tf 16 TL 72 790 Td\n");
        foreach (var line in lines) content.Append('(').Append(Escape(line)).Append(") '\n"); // ' = next line, show text
        content.Append("ET\n");
        string[] objects =
        [
            "<< /Type /Catalog /Pages 2 0 R >>",
            "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
            "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
            $"<< /Length {Encoding.ASCII.GetByteCount(content.ToString())} >>\nstream\n{content}endstream",
        ];
        // Byte offsets for the cross-reference table: everything is ASCII, so characters are bytes.
        var pdf = new StringBuilder("%PDF-1.4\n");
        var offsets = new List<int>();
        for (var i = 0; i < objects.Length; i++)
        {
            offsets.Add(pdf.Length);
            pdf.Append($"{i + 1} 0 obj\n{objects[i]}\nendobj\n");
        }
        var xref = pdf.Length;
        pdf.Append($"xref\n0 {objects.Length + 1}\n0000000000 65535 f \n");
        foreach (var offset in offsets) pdf.Append($"{offset:D10} 00000 n \n");
        pdf.Append($"trailer\n<< /Size {objects.Length + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n");
        return Encoding.ASCII.GetBytes(pdf.ToString());
    }

    private static string Escape(string line)
    {
        if (line.Any(c => c > 126 || c < 32)) throw new ArgumentException("ASCII text only (the font's encoding is not set up for more).", nameof(line));
        return line.Replace("\\", "\\\\").Replace("(", "\\(").Replace(")", "\\)");
    }
}
