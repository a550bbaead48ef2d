namespace Sluice.Rag.Tests.Ingestion;

public sealed class DirectoryReaderTests
{
    [Fact]
    public async Task Reads_every_format_and_turns_bad_files_into_error_records_without_stopping()
    {
        using var bed = new IngestionTestBed();
        bed.Write("a.txt", "Plain text about sluices. It has two sentences.");
        bed.Write("docs/b.md", "Intro line\n\n# Gates and Weirs\n\nA weir raises the water.");
        bed.Write("docs/c.html", """
            <html><head><title>The Mill Race</title><style>p { color: red }</style></head>
            <body><h1>Ignored heading title</h1><p>First paragraph.</p><p>Second paragraph</p><script>var secret = 1;</script>
            <ul><li>one</li><li>two</li></ul></body></html>
            """);
        bed.WriteBytes("d.pdf", IngestionTestBed.Pdf("Canal Locks", "A lock lifts boats between levels.", "Gates close behind the boat."));
        bed.WriteBytes("e-corrupt.pdf", [.. "%PDF-1.7\n1 0 obj << /Type /Catalog"u8, .. new byte[64]]);
        bed.WriteBytes("f-latin1.txt", [0x63, 0x61, 0x66, 0xE9, 0x20, 0x6F, 0x6B]); // "café ok" in Latin-1: not UTF-8
        bed.Write("g.jsonl", """
            {"id": "r1", "text": "Record one.", "title": "First"}
            not json at all
            {"id": 7, "text": "Record seven."}
            {"text": "No id here."}

            {"id": "r9", "body": "wrong field"}
            """);
        bed.Write("h.csv", "ignored,file");
        bed.Write(".hidden/i.txt", "never read");

        var reader = new DirectoryReader(bed.Corpus);
        var outcomes = new List<ReadOutcome>();
        await foreach (var outcome in reader.ReadAsync())
        {
            outcomes.Add(outcome);
        }

        var documents = outcomes.Where(o => o.Document is not null).Select(o => o.Document!).ToDictionary(d => d.Id);
        var errors = outcomes.Where(o => o.Error is not null).Select(o => o.Error!).ToList();

        Assert.Equal(["7", "a.txt", "d.pdf", "docs/b.md", "docs/c.html", "r1"], documents.Keys.Order(StringComparer.Ordinal));
        Assert.Equal("Plain text about sluices. It has two sentences.", documents["a.txt"].Text);
        Assert.Equal("a.txt", documents["a.txt"].Title);
        Assert.Equal("Gates and Weirs", documents["docs/b.md"].Title);
        Assert.Equal("The Mill Race", documents["docs/c.html"].Title);
        string html = documents["docs/c.html"].Text;
        Assert.Contains("First paragraph.\n\nSecond paragraph", html);
        Assert.Contains("one\n\ntwo", html);
        Assert.DoesNotContain("secret", html);
        Assert.DoesNotContain("color", html);
        Assert.Equal("Canal Locks", documents["d.pdf"].Title);
        Assert.Contains("A lock lifts boats between levels.", documents["d.pdf"].Text);
        Assert.Contains("Gates close behind the boat.", documents["d.pdf"].Text);
        Assert.Equal("First", documents["r1"].Title);
        Assert.Equal("g.jsonl", documents["r1"].Source);
        Assert.Equal("7", documents["7"].Title);

        Assert.All(errors, e => Assert.Equal(IngestionStage.Read, e.Stage));
        Assert.Contains(errors, e => e.Source == "e-corrupt.pdf");
        Assert.Contains(errors, e => e.Source == "f-latin1.txt" && e.Reason.Contains("UTF-8", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Source == "g.jsonl" && e.Reason.StartsWith("Line 2 is not valid JSON", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Source == "g.jsonl" && e.Reason.StartsWith("Line 4 has no 'id' field", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Source == "g.jsonl" && e.Reason.StartsWith("Line 6 (id 'r9') has no 'text' field", StringComparison.Ordinal));
        Assert.Equal(5, errors.Count);
        Assert.Equal(7, reader.Files);
        Assert.Equal(1, reader.IgnoredFiles);
    }

    [Fact]
    public async Task Named_jsonl_fields_are_used()
    {
        using var bed = new IngestionTestBed();
        bed.Write("q.jsonl", """{"doc": "x-1", "body": "The body text.", "name": "Named"}""");
        var reader = new DirectoryReader(bed.Corpus, new DirectoryReaderOptions { JsonIdField = "doc", JsonTextField = "body", JsonTitleField = "name" });
        var outcomes = new List<ReadOutcome>();
        await foreach (var outcome in reader.ReadAsync())
        {
            outcomes.Add(outcome);
        }

        var document = Assert.Single(outcomes).Document!;
        Assert.Equal(("x-1", "The body text.", "Named"), (document.Id, document.Text, document.Title));
    }

    [Fact]
    public void Options_name_the_bad_property()
    {
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new DirectoryReaderOptions { MaxFileBytes = 0 }.Validate());
        Assert.Equal("MaxFileBytes", error.ParamName);
        var empty = Assert.Throws<ArgumentException>(() => new DirectoryReaderOptions { JsonIdField = "" }.Validate());
        Assert.Equal("JsonIdField", empty.ParamName);
    }
}
