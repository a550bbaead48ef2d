using UglyToad.PdfPig;
using UglyToad.PdfPig.DocumentLayoutAnalysis.TextExtractor;

namespace Sluice.Rag;

/// <summary>PDF through PdfPig: each page's text in content order, pages separated by a paragraph break, the
/// document information's title. A PDF with no extractable text (a scan) is an error, not an empty document.</summary>
internal static class PdfFormat
{
    public static (string Title, string Text) Read(string path)
    {
        using var document = PdfDocument.Open(path);
        var pages = new List<string>(document.NumberOfPages);
        foreach (var page in document.GetPages())
        {
            string text = ContentOrderTextExtractor.GetText(page).Trim();
            if (text.Length > 0)
            {
                pages.Add(text);
            }
        }

        if (pages.Count == 0)
        {
            throw new InvalidDataException($"The PDF has {document.NumberOfPages} page(s) and no extractable text (a scanned document needs OCR first).");
        }

        return (document.Information.Title?.Trim() ?? "", string.Join("\n\n", pages));
    }
}
