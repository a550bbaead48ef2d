using Microsoft.Extensions.AI;
using Sluice.LocalEmbeddings;
using UglyToad.PdfPig.Content;
using UglyToad.PdfPig.Core;
using UglyToad.PdfPig.Fonts.Standard14Fonts;
using UglyToad.PdfPig.Writer;

namespace Sluice.Rag.Tests.Ingestion;

/// <summary>One real local model for every ingestion test (loading it takes about a second).</summary>
internal static class SharedModel
{
    private static readonly Lazy<LocalEmbeddingGenerator> Instance = new(() => new LocalEmbeddingGenerator());

    public static LocalEmbeddingGenerator Generator => Instance.Value;
}

/// <summary>A temporary corpus directory, index file and cache file, deleted on dispose.</summary>
internal sealed class IngestionTestBed : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), $"sluice-ingest-{Guid.NewGuid():N}");

    public IngestionTestBed()
    {
        Directory.CreateDirectory(Corpus);
    }

    public string Corpus => Path.Combine(_directory, "corpus");

    public string IndexPath => Path.Combine(_directory, "index.db");

    public string CachePath => Path.Combine(_directory, "cache.db");

    public string Write(string relative, string text)
    {
        string path = Path.Combine(Corpus, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
        return path;
    }

    public string WriteBytes(string relative, byte[] bytes)
    {
        string path = Path.Combine(Corpus, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    /// <summary>A real PDF with a title and one line of text per entry of <paramref name="lines"/>, built with PdfPig.</summary>
    public static byte[] Pdf(string title, params string[] lines)
    {
        var builder = new PdfDocumentBuilder();
        builder.DocumentInformation.Title = title;
        var font = builder.AddStandard14Font(Standard14Font.Helvetica);
        var page = builder.AddPage(PageSize.A4);
        double y = 760;
        foreach (string line in lines)
        {
            page.AddText(line, 11, new PdfPoint(40, y), font);
            y -= 16;
        }

        return builder.Build();
    }

    /// <summary>Deterministic prose: <paramref name="sentences"/> sentences about <paramref name="topic"/>.</summary>
    public static string Prose(string topic, int sentences, int seed)
    {
        var random = new Random(seed);
        string[] verbs = ["carries", "holds", "measures", "divides", "opens", "closes", "guides", "slows", "raises", "feeds"];
        string[] things = ["the water", "a narrow channel", "the old mill", "every field", "the lower gate", "the spring flood", "the harbour", "a small boat"];
        var text = new System.Text.StringBuilder();
        for (int s = 0; s < sentences; s++)
        {
            text.Append(s == 0 ? "" : " ");
            text.Append($"The {topic} {verbs[random.Next(verbs.Length)]} {things[random.Next(things.Length)]} in sentence {s} of seed {seed}.");
        }

        return text.ToString();
    }
}

/// <summary>Counts calls and texts through to the real generator; can fail a chosen call.</summary>
internal sealed class CountingEmbeddingGenerator(IEmbeddingGenerator<string, Embedding<float>> inner) : DelegatingEmbeddingGenerator<string, Embedding<float>>(inner)
{
    private int _calls;
    private int _texts;

    /// <summary>The 1-based call number that throws, or 0 for none.</summary>
    public int FailOnCall { get; set; }

    public int Calls => Volatile.Read(ref _calls);

    public int Texts => Volatile.Read(ref _texts);

    public override Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(
        IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
    {
        string[] texts = values.ToArray();
        int call = Interlocked.Increment(ref _calls);
        Interlocked.Add(ref _texts, texts.Length);
        if (call == FailOnCall)
        {
            throw new HttpRequestException($"Simulated provider failure on call {call}.");
        }

        return base.GenerateAsync(texts, options, cancellationToken);
    }

    protected override void Dispose(bool disposing)
    {
        // The inner generator is shared by every test.
    }
}
