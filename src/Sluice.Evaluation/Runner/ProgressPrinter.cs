using System.Globalization;

namespace Sluice.Evaluation;

/// <summary>
/// <c>showProgress</c>: a plain-text line at most every interval (progress bars break without a terminal) and a
/// completion summary at the end, which a progress bar's last frame never reliably shows.
/// </summary>
internal sealed class ProgressPrinter(TextWriter writer, TimeSpan interval) : IProgress<BatchProgress>
{
    private readonly Lock _gate = new();
    private TimeSpan _lastLine = TimeSpan.MinValue;

    public void Report(BatchProgress value)
    {
        lock (_gate)
        {
            if (_lastLine != TimeSpan.MinValue && value.Elapsed - _lastLine < interval)
            {
                return;
            }

            _lastLine = value.Elapsed;
            var total = value.Total is long t ? t.ToString(CultureInfo.InvariantCulture) : "?";
            var eta = value.EstimatedRemaining is TimeSpan r ? $", about {r.TotalSeconds:0}s left" : string.Empty;
            writer.WriteLine(string.Create(
                CultureInfo.InvariantCulture,
                $"eval: {value.Finished}/{total} done ({value.Failed} failed), {value.InFlight} running, {value.ThroughputPerSecond:0.0}/s, {value.Elapsed.TotalSeconds:0.0}s{eta}"));
            writer.Flush();
        }
    }

    public void PrintCompletion(IReadOnlyDictionary<string, IReadOnlyList<EvalOutcome>> outcomes, TimeSpan elapsed, SqliteDistributedCache? cache)
    {
        var count = outcomes.Values.Sum(static l => l.Count);
        var invalid = outcomes.Values.Sum(static l => l.Count(static o => o.InvalidResult));
        var rate = elapsed > TimeSpan.Zero ? count / elapsed.TotalSeconds : 0;
        lock (_gate)
        {
            writer.WriteLine(string.Create(
                CultureInfo.InvariantCulture,
                $"eval: complete: {count} outcomes ({invalid} invalid) from {outcomes.Count} evaluator(s) in {elapsed.TotalSeconds:0.0}s, {rate:0.0}/s"));
            foreach (var (name, list) in outcomes)
            {
                writer.WriteLine("  " + EvalSummary.Compute(name, list));
            }

            if (cache is not null)
            {
                writer.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  judge cache: {cache.Hits} hits, {cache.Misses} misses ({cache.Path})"));
            }

            writer.Flush();
        }
    }
}

/// <summary>Sends each progress snapshot to several receivers.</summary>
internal sealed class ProgressFanOut(IProgress<BatchProgress> first, IProgress<BatchProgress> second) : IProgress<BatchProgress>
{
    public static IProgress<BatchProgress>? Combine(IProgress<BatchProgress>? first, IProgress<BatchProgress>? second) =>
        first is null ? second : second is null ? first : new ProgressFanOut(first, second);

    public void Report(BatchProgress value)
    {
        first.Report(value);
        second.Report(value);
    }
}
