using Sluice.AI;
using Sluice.BatchFiles;

namespace Sluice.Cluster.Runs;

/// <summary>What a shard's journalled successes cost, from the usage the provider reported: the spend of the shard's
/// earlier epochs that a new epoch carries (its seed), so the shard's reported cost is its whole spend.</summary>
internal static class ShardSpend
{
    public static decimal Of(IEnumerable<JournalRecord> records, ShardedRunPrice price)
    {
        decimal spent = 0;
        var model = new ModelPrice(price.InputPerMillion, price.OutputPerMillion);
        foreach (var record in records)
        {
            if (record.Outcome == JournalOutcome.Succeeded && record.ToResult().Response is { } response)
            {
                var (input, output) = ResponseUsage.Read(response.Body.Span);
                spent += model.Cost(input ?? 0, output ?? 0);
            }
        }

        return spent;
    }

    public static async Task<decimal> OfJournalAsync(string journalPath, ShardedRunPrice price, CancellationToken cancellationToken)
    {
        if (!File.Exists(journalPath))
        {
            return 0;
        }

        var records = new List<JournalRecord>();
        await foreach (var record in RunJournalReader.ReadAsync(journalPath, cancellationToken).ConfigureAwait(false))
        {
            records.Add(record);
        }

        return Of(records, price);
    }
}
