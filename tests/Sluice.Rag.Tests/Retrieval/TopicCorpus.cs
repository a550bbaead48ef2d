using Sluice.LocalEmbeddings;

namespace Sluice.Rag.Tests;

/// <summary>A handful of documents on distinct subjects, embedded with the local model into a temporary index, shared by
/// the retrieval, query-engine and evaluation tests (the model loads once).</summary>
public sealed class TopicCorpus : IAsyncLifetime
{
    public static readonly (string Id, string Topic, string Text)[] Documents =
    [
        ("volcano", "earth", "Volcanoes erupt when molten rock from the mantle rises through cracks in the crust; lava, ash and gas pour out of the vent and build a cone over many eruptions."),
        ("tides", "earth", "Ocean tides rise and fall twice a day because the Moon's gravity pulls the water of the near side towards it, with a second bulge on the far side of the Earth."),
        ("glacier", "earth", "A glacier is a river of ice that forms where snow piles up for centuries faster than it melts; its weight makes it creep downhill and carve U-shaped valleys."),
        ("bees", "life", "Honey bees tell their hive mates where flowers are with the waggle dance: the angle of the run gives the direction and its length gives the distance."),
        ("photosynthesis", "life", "Plants make sugar from carbon dioxide and water using the energy of sunlight captured by chlorophyll in their leaves, and they release oxygen as a by-product."),
        ("sourdough", "food", "Sourdough bread rises thanks to a starter of wild yeast and lactic acid bacteria; the bacteria give the loaf its sour taste and the long fermentation its open crumb."),
        ("espresso", "food", "Espresso is brewed by forcing hot water at about nine bars of pressure through finely ground, tightly packed coffee for roughly twenty-five seconds."),
        ("chess", "games", "In chess, castling moves the king two squares towards a rook and puts the rook on the square the king crossed; it is allowed only if neither piece has moved."),
    ];

    public static readonly (string Query, string ExpectedId)[] Questions =
    [
        ("Why does the sea level go up and down every day?", "tides"),
        ("How do bees show other bees where to find flowers?", "bees"),
        ("What makes sourdough taste sour?", "sourdough"),
        ("How does a volcano erupt?", "volcano"),
        ("How do plants turn sunlight into food?", "photosynthesis"),
        ("When is a player allowed to castle?", "chess"),
    ];

    private readonly string _path = TestData.TempFile();

    public LocalEmbeddingGenerator Generator { get; } = new();

    public VectorIndex Index { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Index = VectorIndex.Open(_path);
        var vectors = await Generator.GenerateAsync(Documents.Select(d => d.Text));
        await Index.UpsertAsync(Documents.Select((d, i) => new IndexRecord
        {
            Key = d.Id,
            Text = d.Text,
            Metadata = new Dictionary<string, string> { ["topic"] = d.Topic },
            Vector = vectors[i].Vector,
        }));
    }

    public Task DisposeAsync()
    {
        Index.Dispose();
        Generator.Dispose();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        TestData.Delete(_path);
        return Task.CompletedTask;
    }
}
