namespace Sluice.Evaluation.Tests;

public sealed class RetrievalMetricsTests
{
    private const int Precision = 6;

    [Fact]
    public void Two_of_four_relevant()
    {
        // retrieved [a, b, c, d], expected {b, d}; relevant at ranks 2 and 4.
        var scores = RetrievalMetrics.Compute(["a", "b", "c", "d"], ["b", "d"]);

        Assert.Equal(1.0, scores.HitRate);
        Assert.Equal(0.5, scores.ReciprocalRank, Precision); // 1/2
        Assert.Equal(0.5, scores.Precision, Precision); // 2/4
        Assert.Equal(1.0, scores.Recall, Precision); // 2/2
        Assert.Equal(0.5, scores.AveragePrecision, Precision); // (1/2 + 2/4) / 2
        // DCG = 1/log2(3) + 1/log2(5) = 0.630930 + 0.430677 = 1.061606
        // IDCG over min(4, 2) = 2 ranks = 1/log2(2) + 1/log2(3) = 1.630930
        Assert.Equal(0.650921, scores.Ndcg, Precision); // 1.061606 / 1.630930
    }

    [Fact]
    public void Duplicates_never_push_a_metric_above_1()
    {
        // [a, a, a] dedupes to [a]: every metric is 1 (LlamaIndex would report recall 3).
        var scores = RetrievalMetrics.Compute(["a", "a", "a"], ["a"]);

        Assert.Equal(new RetrievalScores(1, 1, 1, 1, 1, 1), scores);
    }

    [Fact]
    public void Duplicates_are_removed_keeping_the_first_occurrence()
    {
        // [x, a, a] dedupes to [x, a]: first hit at rank 2.
        var scores = RetrievalMetrics.Compute(["x", "a", "a"], ["a"]);

        Assert.Equal(0.5, scores.ReciprocalRank, Precision); // 1/2
        Assert.Equal(0.5, scores.Precision, Precision); // 1/2 distinct
        Assert.Equal(1.0, scores.Recall, Precision); // 1/1
        Assert.Equal(0.5, scores.AveragePrecision, Precision); // (1/2) / 1
        Assert.Equal(1 / Math.Log2(3), scores.Ndcg, Precision); // DCG 1/log2(3); IDCG over min(2, 1) = 1 rank = 1
    }

    [Fact]
    public void Ideal_dcg_is_over_min_of_retrieved_and_expected()
    {
        // retrieved [a], expected {a, b, c}: DCG = 1; IDCG over min(1, 3) = 1 rank = 1, so NDCG = 1 (LlamaIndex after PR #17126).
        var scores = RetrievalMetrics.Compute(["a"], ["a", "b", "c"]);

        Assert.Equal(1.0, scores.Ndcg, Precision);
        Assert.Equal(1.0 / 3.0, scores.Recall, Precision);
        Assert.Equal(1.0 / 3.0, scores.AveragePrecision, Precision); // (1/1) / 3
        Assert.Equal(1.0, scores.Precision, Precision);
    }

    [Fact]
    public void No_relevant_id_scores_zero_everywhere()
    {
        Assert.Equal(new RetrievalScores(0, 0, 0, 0, 0, 0), RetrievalMetrics.Compute(["x", "y"], ["a"]));
    }

    [Fact]
    public void Ids_compare_ordinally()
    {
        Assert.Equal(0.0, RetrievalMetrics.HitRate(["A"], ["a"]));
    }

    [Fact]
    public void Single_metric_methods_agree_with_compute()
    {
        string[] retrieved = ["c", "a", "x", "b"];
        string[] expected = ["a", "b", "c"];
        var all = RetrievalMetrics.Compute(retrieved, expected);

        // relevant at ranks 1, 2, 4: AP = (1/1 + 2/2 + 3/4) / 3 = 2.75 / 3
        Assert.Equal(2.75 / 3, all.AveragePrecision, Precision);
        Assert.Equal(all.HitRate, RetrievalMetrics.HitRate(retrieved, expected));
        Assert.Equal(all.ReciprocalRank, RetrievalMetrics.ReciprocalRank(retrieved, expected));
        Assert.Equal(all.Precision, RetrievalMetrics.Precision(retrieved, expected));
        Assert.Equal(all.Recall, RetrievalMetrics.Recall(retrieved, expected));
        Assert.Equal(all.AveragePrecision, RetrievalMetrics.AveragePrecision(retrieved, expected));
        Assert.Equal(all.Ndcg, RetrievalMetrics.Ndcg(retrieved, expected));
    }

    public static TheoryData<string[]?, string[]?, string, string> BadInputs => new()
    {
        { null, ["a"], "retrievedIds", "retrievedIds is null" },
        { [], ["a"], "retrievedIds", "retrievedIds is empty" },
        { ["a"], null, "expectedIds", "expectedIds is null" },
        { ["a"], [], "expectedIds", "expectedIds is empty" },
        { ["a", null!], ["a"], "retrievedIds", "retrievedIds[1] is null" },
        { ["a"], [null!], "expectedIds", "expectedIds[0] is null" },
    };

    [Theory]
    [MemberData(nameof(BadInputs))]
    public void Null_or_empty_inputs_throw_naming_the_input(string[]? retrieved, string[]? expected, string name, string message)
    {
        var error = Assert.ThrowsAny<ArgumentException>(() => RetrievalMetrics.Compute(retrieved!, expected!));
        Assert.Equal(name, error.ParamName);
        Assert.StartsWith(message, error.Message);

        var fromContext = Assert.ThrowsAny<ArgumentException>(() => new RetrievedIdsContext(retrieved!, expected!));
        Assert.Equal(name, fromContext.ParamName);
    }
}
