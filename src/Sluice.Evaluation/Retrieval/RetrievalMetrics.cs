namespace Sluice.Evaluation;

/// <summary>
/// Ranked-retrieval metrics over id lists, usable without Microsoft.Extensions.AI. Ids are compared ordinally
/// (case-sensitive).
/// </summary>
/// <remarks>
/// <para>
/// Retrieved ids are de-duplicated first, keeping the first occurrence of each id (so <c>[a, a, b]</c> is scored as
/// <c>[a, b]</c>); expected ids are treated as a set. That keeps every metric within [0, 1], which LlamaIndex does not
/// guarantee when a retriever returns the same node twice.
/// </para>
/// <para>
/// NDCG uses linear gain (1 for a relevant id, 0 otherwise) discounted by log2(rank + 1), and its ideal DCG puts
/// min(|distinct retrieved|, |distinct expected|) relevant ids at the top ranks, as LlamaIndex does since its PR #17126.
/// </para>
/// </remarks>
public static class RetrievalMetrics
{
    /// <summary>Computes all six metrics at once.</summary>
    /// <param name="retrievedIds">The retrieved ids, best first. Not <see langword="null"/>, not empty, no <see langword="null"/> entries.</param>
    /// <param name="expectedIds">The relevant ids. Not <see langword="null"/>, not empty, no <see langword="null"/> entries.</param>
    /// <returns>The metrics, each in [0, 1].</returns>
    /// <exception cref="ArgumentException">An input is <see langword="null"/>, empty or holds a <see langword="null"/> entry; the message names it.</exception>
    public static RetrievalScores Compute(IEnumerable<string> retrievedIds, IEnumerable<string> expectedIds)
    {
        var retrieved = Distinct(Validate(retrievedIds, nameof(retrievedIds)));
        var expected = new HashSet<string>(Validate(expectedIds, nameof(expectedIds)), StringComparer.Ordinal);

        var hits = 0;
        var firstHitRank = 0;
        var precisionSum = 0.0;
        var dcg = 0.0;
        for (var i = 0; i < retrieved.Count; i++)
        {
            if (!expected.Contains(retrieved[i]))
            {
                continue;
            }

            var rank = i + 1;
            hits++;
            if (firstHitRank == 0)
            {
                firstHitRank = rank;
            }

            precisionSum += (double)hits / rank;
            dcg += Discount(rank);
        }

        var idealDcg = 0.0;
        var idealLength = Math.Min(retrieved.Count, expected.Count);
        for (var rank = 1; rank <= idealLength; rank++)
        {
            idealDcg += Discount(rank);
        }

        return new RetrievalScores(
            HitRate: hits > 0 ? 1.0 : 0.0,
            ReciprocalRank: firstHitRank > 0 ? 1.0 / firstHitRank : 0.0,
            Precision: (double)hits / retrieved.Count,
            Recall: (double)hits / expected.Count,
            AveragePrecision: precisionSum / expected.Count,
            Ndcg: dcg / idealDcg);
    }

    /// <summary>1 when at least one expected id was retrieved, else 0.</summary>
    /// <inheritdoc cref="Compute" path="/param"/>
    /// <inheritdoc cref="Compute" path="/exception"/>
    /// <returns>0 or 1.</returns>
    public static double HitRate(IEnumerable<string> retrievedIds, IEnumerable<string> expectedIds) =>
        Compute(retrievedIds, expectedIds).HitRate;

    /// <summary>1 / rank of the first expected id among the retrieved ids, or 0 when none was retrieved.</summary>
    /// <inheritdoc cref="Compute" path="/param"/>
    /// <inheritdoc cref="Compute" path="/exception"/>
    /// <returns>A value in [0, 1].</returns>
    public static double ReciprocalRank(IEnumerable<string> retrievedIds, IEnumerable<string> expectedIds) =>
        Compute(retrievedIds, expectedIds).ReciprocalRank;

    /// <summary>The share of distinct retrieved ids that are expected.</summary>
    /// <inheritdoc cref="Compute" path="/param"/>
    /// <inheritdoc cref="Compute" path="/exception"/>
    /// <returns>A value in [0, 1].</returns>
    public static double Precision(IEnumerable<string> retrievedIds, IEnumerable<string> expectedIds) =>
        Compute(retrievedIds, expectedIds).Precision;

    /// <summary>The share of distinct expected ids that were retrieved.</summary>
    /// <inheritdoc cref="Compute" path="/param"/>
    /// <inheritdoc cref="Compute" path="/exception"/>
    /// <returns>A value in [0, 1].</returns>
    public static double Recall(IEnumerable<string> retrievedIds, IEnumerable<string> expectedIds) =>
        Compute(retrievedIds, expectedIds).Recall;

    /// <summary>The sum of precision@k over the ranks k that hold an expected id, divided by the number of distinct expected ids.</summary>
    /// <inheritdoc cref="Compute" path="/param"/>
    /// <inheritdoc cref="Compute" path="/exception"/>
    /// <returns>A value in [0, 1].</returns>
    public static double AveragePrecision(IEnumerable<string> retrievedIds, IEnumerable<string> expectedIds) =>
        Compute(retrievedIds, expectedIds).AveragePrecision;

    /// <summary>Normalised discounted cumulative gain with linear gain; the ideal ranking has min(|retrieved|, |expected|) relevant ids.</summary>
    /// <inheritdoc cref="Compute" path="/param"/>
    /// <inheritdoc cref="Compute" path="/exception"/>
    /// <returns>A value in [0, 1].</returns>
    public static double Ndcg(IEnumerable<string> retrievedIds, IEnumerable<string> expectedIds) =>
        Compute(retrievedIds, expectedIds).Ndcg;

    internal static string[] Validate(IEnumerable<string>? ids, string name)
    {
        if (ids is null)
        {
            throw new ArgumentException($"{name} is null; expected at least one id.", name);
        }

        var copy = ids.ToArray();
        if (copy.Length == 0)
        {
            throw new ArgumentException($"{name} is empty; expected at least one id.", name);
        }

        for (var i = 0; i < copy.Length; i++)
        {
            if (copy[i] is null)
            {
                throw new ArgumentException($"{name}[{i}] is null; expected an id.", name);
            }
        }

        return copy;
    }

    private static List<string> Distinct(string[] ids)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var distinct = new List<string>(ids.Length);
        foreach (var id in ids)
        {
            if (seen.Add(id))
            {
                distinct.Add(id);
            }
        }

        return distinct;
    }

    private static double Discount(int rank) => 1.0 / Math.Log2(rank + 1);
}
