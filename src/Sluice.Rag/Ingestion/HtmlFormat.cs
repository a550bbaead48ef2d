using System.Text;
using AngleSharp.Dom;
using AngleSharp.Html.Parser;

namespace Sluice.Rag;

/// <summary>HTML through AngleSharp: the visible text of the body (scripts, styles and templates dropped), a paragraph
/// break around every block element so sentences of different blocks never run together, and the
/// <c>&lt;title&gt;</c> (else the first <c>&lt;h1&gt;</c>) as the title.</summary>
internal static class HtmlFormat
{
    private static readonly HashSet<string> Skipped = new(StringComparer.OrdinalIgnoreCase) { "script", "style", "noscript", "template", "head" };

    private static readonly HashSet<string> Blocks = new(StringComparer.OrdinalIgnoreCase)
    {
        "p", "div", "section", "article", "header", "footer", "main", "aside", "nav", "blockquote", "pre", "li", "ul", "ol",
        "dl", "dt", "dd", "table", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "br", "hr", "figure", "figcaption", "address",
    };

    public static (string Title, string Text) Read(string html)
    {
        var parser = new HtmlParser();
        using var document = parser.ParseDocument(html);
        string title = document.Title?.Trim() ?? "";
        if (title.Length == 0)
        {
            title = document.QuerySelector("h1")?.TextContent.Trim() ?? "";
        }

        var text = new StringBuilder();
        if (document.Body is { } body)
        {
            Append(body, text);
        }

        return (Collapse(title), Normalise(text.ToString()));
    }

    private static void Append(INode node, StringBuilder text)
    {
        foreach (var child in node.ChildNodes)
        {
            if (child is IText leaf)
            {
                text.Append(leaf.Data);
            }
            else if (child is IElement element && !Skipped.Contains(element.LocalName))
            {
                bool block = Blocks.Contains(element.LocalName);
                if (block)
                {
                    text.Append("\n\n");
                }

                Append(element, text);
                if (block)
                {
                    text.Append("\n\n");
                }
            }
        }
    }

    /// <summary>Collapses runs of spaces inside each paragraph and keeps one blank line between paragraphs.</summary>
    private static string Normalise(string text)
    {
        var paragraphs = text.Split("\n\n", StringSplitOptions.RemoveEmptyEntries)
            .Select(Collapse)
            .Where(p => p.Length > 0);
        return string.Join("\n\n", paragraphs);
    }

    private static string Collapse(string text) =>
        string.Join(' ', text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
}
