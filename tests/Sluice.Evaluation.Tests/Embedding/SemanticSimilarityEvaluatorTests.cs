namespace Sluice.Evaluation.Tests;

public sealed class SemanticSimilarityEvaluatorTests
{
    private static readonly Dictionary<string, float[]> Table = new()
    {
        ["response"] = [1f, 0f],
        ["same"] = [2f, 0f],
        ["close"] = [4f, 3f], // cosine with [1, 0] = 4/5 = 0.8
        ["far"] = [3f, 4f], // cosine with [1, 0] = 3/5 = 0.6
        ["zero"] = [0f, 0f],
        ["long"] = [1f, 0f, 0f],
    };

    [Theory]
    [InlineData("same", 1.0, true)]
    [InlineData("close", 0.8, true)]
    [InlineData("far", 0.6, false)]
    public async Task Scores_the_cosine_and_passes_at_0_8(string reference, double cosine, bool passing)
    {
        var generator = new TableEmbeddingGenerator(Table);
        var evaluator = new SemanticSimilarityEvaluator(generator);

        var result = await evaluator.EvaluateAsync([], Inputs.Response("response"), additionalContext: [new ReferenceAnswerContext(reference)]);

        var reading = EvaluationReading.Read(result, SemanticSimilarityEvaluator.MetricName);
        Assert.Equal(cosine, reading.Score!.Value, 6);
        Assert.Equal(passing, reading.Passing);
        Assert.Equal(1, generator.Calls);
    }

    [Theory]
    [InlineData("zero", "zero vector")]
    [InlineData("long", "lengths 2 and 3")]
    public async Task Degenerate_embeddings_are_invalid(string reference, string reason)
    {
        var evaluator = new SemanticSimilarityEvaluator(new TableEmbeddingGenerator(Table));

        var result = await evaluator.EvaluateAsync([], Inputs.Response("response"), additionalContext: [new ReferenceAnswerContext(reference)]);

        Assert.Contains(reason, EvaluationReading.Read(result, evaluator).InvalidReason);
    }

    [Fact]
    public async Task A_short_batch_of_embeddings_is_invalid()
    {
        var evaluator = new SemanticSimilarityEvaluator(new TableEmbeddingGenerator(Table, forcedCount: 1));

        var result = await evaluator.EvaluateAsync([], Inputs.Response("response"), additionalContext: [new ReferenceAnswerContext("same")]);

        Assert.Contains("returned 1 embeddings for 2 texts", EvaluationReading.Read(result, evaluator).InvalidReason);
    }

    [Fact]
    public async Task A_missing_reference_is_invalid_without_embedding()
    {
        var generator = new TableEmbeddingGenerator(Table);

        var result = await new SemanticSimilarityEvaluator(generator).EvaluateAsync([], Inputs.Response("response"));

        Assert.True(EvaluationReading.Read(result, SemanticSimilarityEvaluator.MetricName).Invalid);
        Assert.Equal(0, generator.Calls);
    }

    [Fact]
    public void The_threshold_is_validated()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new SemanticSimilarityEvaluator(new TableEmbeddingGenerator(Table), 1.5));
    }
}
