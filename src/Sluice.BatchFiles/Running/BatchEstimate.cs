using Sluice.AI;

namespace Sluice.BatchFiles;

/// <summary>
/// What a batch file will cost before anything is sent (<c>sluice run --dry-run</c>): requests, input tokens counted
/// with a real tokenizer (o200k_base), output tokens as a low / expected / high range, and the cost of each where the
/// prices are known.
/// </summary>
/// <remarks>Output per chat request: low 1 token; expected the smaller of its <c>max_tokens</c> and
/// <see cref="DefaultExpectedOutputTokens"/>; high its <c>max_tokens</c> — a request without one has no upper bound,
/// so the high figures are then <see langword="null"/> and <see cref="UncappedRequests"/> says how many. Embeddings
/// have no output tokens.</remarks>
public sealed record BatchEstimate
{
    /// <summary>The output tokens expected of a chat request that sets no smaller <c>max_tokens</c>: 256.</summary>
    public const int DefaultExpectedOutputTokens = 256;

    /// <summary>Gets the valid requests.</summary>
    public long Requests { get; init; }

    /// <summary>Gets the input tokens of every valid request.</summary>
    public long InputTokens { get; init; }

    /// <summary>Gets the fewest output tokens.</summary>
    public long OutputTokensLow { get; init; }

    /// <summary>Gets the expected output tokens.</summary>
    public long OutputTokensExpected { get; init; }

    /// <summary>Gets the most output tokens, or <see langword="null"/> when some chat request sets no <c>max_tokens</c>.</summary>
    public long? OutputTokensHigh { get; init; }

    /// <summary>Gets how many chat requests set no <c>max_tokens</c>.</summary>
    public long UncappedRequests { get; init; }

    /// <summary>Gets the lowest cost in dollars, or <see langword="null"/> when some request's model has no price.</summary>
    public decimal? CostLow { get; init; }

    /// <summary>Gets the expected cost in dollars, or <see langword="null"/> when some request's model has no price.</summary>
    public decimal? CostExpected { get; init; }

    /// <summary>Gets the highest cost in dollars, or <see langword="null"/> when unbounded or some price is unknown.</summary>
    public decimal? CostHigh { get; init; }

    /// <summary>Gets the models the requests name that the price table does not price (<c>(none)</c> for requests
    /// that name no model).</summary>
    public IReadOnlyList<string> UnpricedModels { get; init; } = [];

    /// <summary>Estimates every valid request of a file, streaming.</summary>
    /// <param name="input">The input file's reader.</param>
    /// <param name="prices">The prices; <see langword="null"/> leaves every cost unknown.</param>
    /// <param name="cancellationToken">Stops the reading.</param>
    /// <returns>The estimate.</returns>
    public static async Task<BatchEstimate> EstimateAsync(BatchInputReader input, PriceTable? prices, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(input);
        long requests = 0, inputTokens = 0, low = 0, expected = 0, high = 0, uncapped = 0;
        decimal costLow = 0, costExpected = 0, costHigh = 0;
        var unpriced = new SortedSet<string>(StringComparer.Ordinal);
        await foreach (var request in input.ReadRequestsAsync(cancellationToken).ConfigureAwait(false))
        {
            var count = TokenEstimator.CountRequest(request.Body.Span);
            requests++;
            inputTokens += count.InputTokens;
            long lineLow = 0, lineExpected = 0, lineHigh = 0;
            if (!count.IsEmbedding)
            {
                lineLow = 1;
                lineExpected = count.MaxOutputTokens is { } cap ? Math.Min(cap, DefaultExpectedOutputTokens) : DefaultExpectedOutputTokens;
                if (count.MaxOutputTokens is { } max)
                {
                    lineHigh = max;
                }
                else
                {
                    uncapped++;
                }
            }

            low += lineLow;
            expected += lineExpected;
            high += lineHigh;
            if (prices is not null && prices.TryGetPrice(request.Model, out var price))
            {
                costLow += price.Cost(count.InputTokens, lineLow);
                costExpected += price.Cost(count.InputTokens, lineExpected);
                costHigh += price.Cost(count.InputTokens, lineHigh);
            }
            else
            {
                unpriced.Add(request.Model ?? "(none)");
            }
        }

        bool priced = unpriced.Count == 0;
        return new BatchEstimate
        {
            Requests = requests,
            InputTokens = inputTokens,
            OutputTokensLow = low,
            OutputTokensExpected = expected,
            OutputTokensHigh = uncapped == 0 ? high : null,
            UncappedRequests = uncapped,
            CostLow = priced ? costLow : null,
            CostExpected = priced ? costExpected : null,
            CostHigh = priced && uncapped == 0 ? costHigh : null,
            UnpricedModels = [.. unpriced],
        };
    }
}
