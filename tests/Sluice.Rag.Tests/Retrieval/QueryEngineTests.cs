using Microsoft.Extensions.AI;
using Microsoft.Extensions.AI.Evaluation;
using Sluice.AI;
using Sluice.Evaluation;

namespace Sluice.Rag.Tests;

/// <summary>The query engine over the real index and local model: with and without a chat model, one query and many,
/// and through the evaluation runner.</summary>
public sealed class QueryEngineTests(TopicCorpus corpus) : IClassFixture<TopicCorpus>
{
    private VectorRetriever Retriever(int topK = 3) => new(corpus.Index, corpus.Generator, new RetrieverOptions { TopK = topK });

    [Fact]
    public async Task Without_a_chat_model_the_response_says_no_answer_was_generated_and_gives_the_retrieved_context()
    {
        var engine = new QueryEngine(Retriever());
        Assert.False(engine.HasChatModel);

        var answer = await engine.AnswerAsync("How do bees show other bees where to find flowers?");

        Assert.False(answer.Generated);
        Assert.StartsWith(QueryEngine.NoChatModelNotice, answer.Response.Response);
        Assert.StartsWith("No answer was generated", answer.Response.Response);
        Assert.Equal("bees", answer.Hits[0].Key);
        Assert.Equal(answer.Hits.Select(h => h.Text), answer.Response.SourcePassages);
        Assert.Contains("[1] " + answer.Hits[0].Text, answer.Response.Response);

        IQueryEngine asInterface = engine;
        var response = await asInterface.QueryAsync("How do bees show other bees where to find flowers?", CancellationToken.None);
        Assert.Equal(answer.Response.Response, response.Response);
        Assert.Equal(answer.Response.SourcePassages, response.SourcePassages);
    }

    [Fact]
    public async Task With_a_chat_model_the_synthesizer_answers_from_the_retrieved_passages()
    {
        var chat = new ScriptedChatClient(prompt => prompt.Contains("waggle", StringComparison.Ordinal) ? "They dance." : "I do not know.");
        var engine = new QueryEngine(Retriever(), new CompactSynthesizer(chat));

        var answer = await engine.AnswerAsync("How do bees show other bees where to find flowers?");

        Assert.True(answer.Generated);
        Assert.Equal("They dance.", answer.Response.Response);
        Assert.Equal(3, answer.Response.SourcePassages.Count);
        Assert.Equal(1, chat.Calls);
    }

    [Fact]
    public async Task Nothing_retrieved_makes_no_chat_call_and_says_so()
    {
        var chat = new ScriptedChatClient(_ => "invented");
        var retriever = new VectorRetriever(corpus.Index, corpus.Generator, new RetrieverOptions { Filter = MetadataFilter.Where("topic", "no such topic") });
        var answer = await new QueryEngine(retriever, new CompactSynthesizer(chat)).AnswerAsync("anything");

        Assert.False(answer.Generated);
        Assert.Equal(QueryEngine.NothingRetrievedNotice, answer.Response.Response);
        Assert.Empty(answer.Response.SourcePassages);
        Assert.Equal(0, chat.Calls);
    }

    [Fact]
    public async Task QueryMany_gives_one_result_per_query_in_order_equal_to_one_query_at_a_time()
    {
        var counting = new CountingEmbeddingGenerator(corpus.Generator);
        var retriever = new VectorRetriever(corpus.Index, counting, new RetrieverOptions { TopK = 3 });
        var engine = new QueryEngine(retriever, options: new QueryEngineOptions { RetrievalGroupSize = 5 });
        string[] queries = [.. Enumerable.Range(0, 4).SelectMany(_ => TopicCorpus.Questions.Select(q => q.Query))]; // 24

        var results = new List<ItemResult<string, QueryAnswer>>();
        await foreach (var result in engine.QueryManyAsync(queries))
        {
            results.Add(result);
        }

        Assert.Equal(queries.Length, results.Count);
        Assert.Equal(Enumerable.Range(0, queries.Length).Select(i => (long)i), results.Select(r => r.Index));
        Assert.Equal(5, counting.CallSizes.Count); // groups of 5: 5+5+5+5+4 queries, one embedding call each
        for (int i = 0; i < queries.Length; i++)
        {
            Assert.True(results[i].Succeeded);
            Assert.Equal(queries[i], results[i].Input);
            Assert.Equal(TopicCorpus.Questions[i % TopicCorpus.Questions.Length].ExpectedId, results[i].Value!.Hits[0].Key);
            var single = await engine.AnswerAsync(queries[i]);
            Assert.Equal(single.Hits.Select(h => h.Key), results[i].Value!.Hits.Select(h => h.Key));
            Assert.Equal(single.Response.Response, results[i].Value!.Response.Response);
        }
    }

    [Fact]
    public async Task QueryMany_keeps_every_other_answer_when_one_synthesis_fails()
    {
        var chat = new ScriptedChatClient(prompt => prompt.Contains("castle", StringComparison.Ordinal) ? throw new InvalidOperationException("model refused") : "fine");
        var engine = new QueryEngine(Retriever(1), new CompactSynthesizer(chat), new QueryEngineOptions { MaxConcurrency = 3 });

        var results = new List<ItemResult<string, QueryAnswer>>();
        await foreach (var result in engine.QueryManyAsync(TopicCorpus.Questions.Select(q => q.Query)))
        {
            results.Add(result);
        }

        Assert.Equal(TopicCorpus.Questions.Length, results.Count);
        var failed = Assert.Single(results, r => !r.Succeeded);
        Assert.Equal("When is a player allowed to castle?", failed.Input);
        Assert.Equal("model refused", failed.Error!.Message);
        Assert.All(results.Where(r => r.Succeeded), r => Assert.Equal("fine", r.Value!.Response.Response));
    }

    [Fact]
    public async Task QueryMany_fails_the_queries_of_a_group_whose_embedding_call_failed_and_goes_on()
    {
        var flaky = new FailingOnceEmbeddingGenerator(corpus.Generator, failOnCall: 2);
        var engine = new QueryEngine(new VectorRetriever(corpus.Index, flaky), options: new QueryEngineOptions { RetrievalGroupSize = 2 });

        var results = new List<ItemResult<string, QueryAnswer>>();
        await foreach (var result in engine.QueryManyAsync(TopicCorpus.Questions.Select(q => q.Query)))
        {
            results.Add(result);
        }

        Assert.Equal(6, results.Count);
        Assert.Equal([true, true, false, false, true, true], results.Select(r => r.Succeeded));
        Assert.All(results.Where(r => !r.Succeeded), r => Assert.Equal("embedding service down", r.Error!.Message));
    }

    [Fact]
    public async Task A_consumer_that_stops_early_ends_the_run_and_the_group_retrieved_ahead()
    {
        var counting = new CountingEmbeddingGenerator(corpus.Generator);
        var engine = new QueryEngine(new VectorRetriever(corpus.Index, counting), options: new QueryEngineOptions { RetrievalGroupSize = 2 });
        var first = new List<string>();
        await foreach (var result in engine.QueryManyAsync(TopicCorpus.Questions.Select(q => q.Query)))
        {
            first.Add(result.Input);
            break;
        }

        Assert.Equal([TopicCorpus.Questions[0].Query], first);
        Assert.InRange(counting.CallSizes.Count, 1, 3); // the batch's read-ahead may have taken every group; none is left running
    }

    [Fact]
    public async Task The_evaluation_runner_accepts_the_engine_and_scores_its_retrieval()
    {
        // No adapter: the engine's responses carry their source ids, the runner pairs them with the expected ids.
        var engine = new QueryEngine(Retriever(3));
        var evaluators = new Dictionary<string, IEvaluator> { ["retrieval"] = new RetrieverEvaluator() };
        var runner = new BatchEvalRunner(evaluators, workers: 4);
        string[] queries = [.. TopicCorpus.Questions.Select(q => q.Query)];
        IReadOnlyList<string>[] expected = [.. TopicCorpus.Questions.Select(q => (IReadOnlyList<string>)[q.ExpectedId])];

        var outcomes = await runner.EvaluateQueriesAsync(engine, queries, new EvalInputs().WithExpectedIds(expected));

        var retrieval = outcomes["retrieval"];
        Assert.Equal(queries.Length, retrieval.Count);
        Assert.All(retrieval, o => Assert.False(o.InvalidResult, o.InvalidReason));
        Assert.All(retrieval, o => Assert.Equal(3, o.Passages!.Count));
        Assert.All(retrieval, o => Assert.StartsWith(QueryEngine.NoChatModelNotice, o.Response));
        double hitRate = retrieval.Average(o => o.Result!.Get<NumericMetric>(RetrieverEvaluator.HitRateMetricName).Value!.Value);
        double mrr = retrieval.Average(o => o.Result!.Get<NumericMetric>(RetrieverEvaluator.MrrMetricName).Value!.Value);
        Assert.Equal(1.0, hitRate);
        Assert.Equal(1.0, mrr); // every question's document ranks first (see the retriever tests)
    }

    [Fact]
    public async Task Source_ids_are_the_hits_keys_when_the_records_have_no_document_id()
    {
        var answer = await new QueryEngine(Retriever(3)).AnswerAsync("What makes sourdough taste sour?");

        Assert.Equal(answer.Hits.Select(h => h.Key), answer.Response.SourceIds);
        Assert.Equal("sourdough", answer.Response.SourceIds[0]);
        var withDocument = new SearchHit("doc.md#v1#2", 0.5f, "text", new Dictionary<string, string> { [IngestionPipeline.DocumentIdField] = "doc.md" });
        Assert.Equal("doc.md", QueryEngine.SourceIdOf(withDocument));
        Assert.Equal("k", QueryEngine.SourceIdOf(new SearchHit("k", 0.5f, "text", new Dictionary<string, string>())));
    }

    private sealed class FailingOnceEmbeddingGenerator(IEmbeddingGenerator<string, Embedding<float>> inner, int failOnCall)
        : DelegatingEmbeddingGenerator<string, Embedding<float>>(inner)
    {
        private int _calls;

        public override Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(
            IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default) =>
            Interlocked.Increment(ref _calls) == failOnCall
                ? throw new HttpRequestException("embedding service down")
                : base.GenerateAsync(values, options, cancellationToken);

        protected override void Dispose(bool disposing)
        {
        }
    }
}
