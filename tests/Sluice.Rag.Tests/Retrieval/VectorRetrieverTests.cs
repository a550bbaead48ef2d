using Microsoft.Extensions.AI;

namespace Sluice.Rag.Tests;

/// <summary>The retriever over a real index and the real local model.</summary>
public sealed class VectorRetrieverTests(TopicCorpus corpus) : IClassFixture<TopicCorpus>
{
    [Fact]
    public async Task Each_question_finds_its_document_first()
    {
        var retriever = new VectorRetriever(corpus.Index, corpus.Generator, new RetrieverOptions { TopK = 3 });
        foreach (var (query, expected) in TopicCorpus.Questions)
        {
            var hits = await retriever.RetrieveAsync(query);
            Assert.Equal(3, hits.Count);
            Assert.Equal(expected, hits[0].Key);
            Assert.True(hits[0].Score >= hits[1].Score && hits[1].Score >= hits[2].Score);
        }
    }

    [Fact]
    public async Task A_filter_keeps_only_matching_passages_from_the_options_or_the_call()
    {
        var retriever = new VectorRetriever(corpus.Index, corpus.Generator, new RetrieverOptions { TopK = 5, Filter = MetadataFilter.Where("topic", "food") });
        var fromOptions = await retriever.RetrieveAsync("How does a volcano erupt?");
        Assert.Equal(["espresso", "sourdough"], fromOptions.Select(h => h.Key).Order());

        var fromCall = await retriever.RetrieveAsync("How does a volcano erupt?", MetadataFilter.Where("topic", "earth"));
        Assert.Equal(3, fromCall.Count);
        Assert.Equal("volcano", fromCall[0].Key);
        Assert.All(fromCall, h => Assert.Equal("earth", h.Metadata["topic"]));
    }

    [Fact]
    public async Task Batched_retrieval_embeds_in_groups_and_returns_exactly_what_one_by_one_does()
    {
        var counting = new CountingEmbeddingGenerator(corpus.Generator);
        var retriever = new VectorRetriever(corpus.Index, counting, new RetrieverOptions { TopK = 4, EmbeddingGroupSize = 4 });
        string[] queries = [.. TopicCorpus.Questions.Select(q => q.Query), .. TopicCorpus.Questions.Select(q => q.Query.ToUpperInvariant())];

        var many = await retriever.RetrieveManyAsync(queries);

        Assert.Equal([4, 4, 4], counting.CallSizes);
        Assert.Equal(queries.Length, many.Count);
        for (int i = 0; i < queries.Length; i++)
        {
            var single = await retriever.RetrieveAsync(queries[i]);
            Assert.Equal(single.Select(h => h.Key), many[i].Select(h => h.Key));
            Assert.Equal(single.Select(h => h.Score), many[i].Select(h => h.Score), (a, b) => Math.Abs(a - b) < 1e-5f);
        }

        Assert.Empty(await retriever.RetrieveManyAsync([]));
    }

    [Fact]
    public async Task Bad_input_is_refused_with_a_message_that_names_it()
    {
        var retriever = new VectorRetriever(corpus.Index, corpus.Generator);
        var nullEntry = await Assert.ThrowsAsync<ArgumentException>(() => retriever.RetrieveManyAsync(["fine", null!]));
        Assert.Contains("queries[1]", nullEntry.Message);

        var topK = Assert.Throws<ArgumentOutOfRangeException>(() => new VectorRetriever(corpus.Index, corpus.Generator, new RetrieverOptions { TopK = 0 }));
        Assert.Contains("RetrieverOptions.TopK", topK.Message);

        using var wrong = new FixedEmbeddingGenerator(8);
        var dimensions = await Assert.ThrowsAsync<InvalidOperationException>(() => new VectorRetriever(corpus.Index, wrong).RetrieveAsync("anything"));
        Assert.Contains("8-dimensional", dimensions.Message);
        Assert.Contains("384", dimensions.Message);
    }

    private sealed class FixedEmbeddingGenerator(int dimensions) : IEmbeddingGenerator<string, Embedding<float>>
    {
        public Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(
            IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default) =>
            Task.FromResult(new GeneratedEmbeddings<Embedding<float>>(values.Select(_ => new Embedding<float>(new float[dimensions]))));

        public object? GetService(Type serviceType, object? serviceKey = null) => null;

        public void Dispose()
        {
        }
    }
}
