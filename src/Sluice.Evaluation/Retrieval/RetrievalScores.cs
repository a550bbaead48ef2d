namespace Sluice.Evaluation;

/// <summary>All six retrieval metrics for one query, each in [0, 1]. See <see cref="RetrievalMetrics"/> for the definitions.</summary>
/// <param name="HitRate">1 when at least one expected id was retrieved, else 0.</param>
/// <param name="ReciprocalRank">1 / rank of the first expected id retrieved, or 0 (LlamaIndex's per-query "mrr").</param>
/// <param name="Precision">Relevant retrieved ids / distinct retrieved ids.</param>
/// <param name="Recall">Relevant retrieved ids / distinct expected ids.</param>
/// <param name="AveragePrecision">Sum of precision@k at each relevant rank k, divided by the distinct expected ids.</param>
/// <param name="Ndcg">Normalised discounted cumulative gain with linear (binary) gain.</param>
public readonly record struct RetrievalScores(
    double HitRate,
    double ReciprocalRank,
    double Precision,
    double Recall,
    double AveragePrecision,
    double Ndcg);
