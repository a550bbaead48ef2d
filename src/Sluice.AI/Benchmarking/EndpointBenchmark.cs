using System.Net;

namespace Sluice.AI;

/// <summary>
/// Benchmarks an OpenAI-compatible endpoint through Sluice's throughput handler: a sweep of fixed concurrencies
/// (1, 2, 4, … by default), each step a bounded number of requests sent once, then, for embeddings, a sweep of group
/// sizes at the recommended concurrency; <see cref="BenchmarkRule"/> stops each sweep once throughput stops rising and
/// picks the settings to pass to <c>sluice run</c>.
/// </summary>
/// <example><code>
/// var options = new EndpointBenchmarkOptions { Model = "gpt-4o-mini" };
/// var plan = EndpointBenchmark.Plan(options);          // announce plan.MaxRequests before sending
/// var result = await EndpointBenchmark.RunAsync(new Uri("http://127.0.0.1:8080/v1"), apiKey: null, options);
/// Console.WriteLine($"--concurrency {result.Concurrency.Value}: {result.Concurrency.Reason}");
/// </code></example>
public static class EndpointBenchmark
{
    /// <summary>What a benchmark with <paramref name="options"/> will send, computed without sending anything.</summary>
    /// <param name="options">The options.</param>
    /// <returns>The plan: the concurrency sweep's steps, and the bound on the group-size sweep.</returns>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range (the message names it), or
    /// <see cref="EndpointBenchmarkOptions.MaxRequests"/> is below <see cref="MinimumMaxRequests"/>: the plan would have no step.</exception>
    public static BenchmarkPlan Plan(EndpointBenchmarkOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        int minimum = MinimumMaxRequests(options);
        if (options.MaxRequests < minimum)
        {
            throw new ArgumentOutOfRangeException(nameof(EndpointBenchmarkOptions.MaxRequests), options.MaxRequests,
                $"{nameof(EndpointBenchmarkOptions)}.{nameof(EndpointBenchmarkOptions.MaxRequests)} must be at least {minimum}: the first step of the sweep (concurrency {options.Levels()[0]}) alone sends {minimum} requests; it was {options.MaxRequests}.");
        }

        bool embeddings = options.Endpoint == BenchmarkEndpoint.Embeddings;
        int groupSize = embeddings ? options.GroupSize : 1;
        var steps = new List<BenchmarkStep>();
        var dropped = new List<int>();
        long index = 0;
        int total = 0;
        foreach (int concurrency in options.Levels())
        {
            int requests = options.RequestsFor(concurrency);
            if (dropped.Count > 0 || total + requests > options.MaxRequests)
            {
                dropped.Add(concurrency);
                continue;
            }

            steps.Add(new BenchmarkStep(concurrency, groupSize, requests, requests * BenchmarkBodies.EstimateTokens(options, index, groupSize)));
            index += requests;
            total += requests;
        }

        int groupRequests = 0;
        long groupTokens = 0;
        if (embeddings && steps.Count > 0)
        {
            // The group sweep runs at the concurrency the first sweep picks: at most the largest planned one.
            int perStep = options.RequestsFor(steps[^1].Concurrency);
            foreach (int size in options.GroupSizes)
            {
                if (total + groupRequests + perStep > options.MaxRequests)
                {
                    perStep = Math.Max(0, options.MaxRequests - total - groupRequests);
                }

                groupRequests += perStep;
                groupTokens += perStep * BenchmarkBodies.EstimateTokens(options, index, size);
            }
        }

        return new BenchmarkPlan
        {
            ConcurrencySteps = steps,
            DroppedConcurrencies = dropped,
            GroupSizes = embeddings ? options.GroupSizes : [],
            GroupSweepMaxRequests = groupRequests,
            GroupSweepEstimatedTokens = groupTokens,
        };
    }

    /// <summary>The fewest <see cref="EndpointBenchmarkOptions.MaxRequests"/> that plans a step: what the sweep's first
    /// step (its lowest concurrency) sends. Below it <see cref="Plan"/> throws.</summary>
    /// <param name="options">The options.</param>
    /// <returns>The requests of the first step of the concurrency sweep.</returns>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range (the message names it).</exception>
    public static int MinimumMaxRequests(EndpointBenchmarkOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        return options.RequestsFor(options.Levels()[0]);
    }

    /// <summary>Whether <paramref name="baseUrl"/>'s host is this machine by a loopback address: <c>localhost</c>, an
    /// address in 127.0.0.0/8, or <c>::1</c>. The name is not resolved: another name for this machine is not loopback.</summary>
    /// <param name="baseUrl">The API base.</param>
    /// <returns><see langword="true"/> for a loopback host.</returns>
    public static bool IsLoopback(Uri baseUrl)
    {
        ArgumentNullException.ThrowIfNull(baseUrl);
        if (!baseUrl.IsAbsoluteUri)
        {
            return false;
        }

        string host = baseUrl.IdnHost.Trim('[', ']');
        return string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase)
            || (IPAddress.TryParse(host, out var address) && IPAddress.IsLoopback(address));
    }

    /// <summary>Runs the benchmark: the concurrency sweep, then (embeddings) the group-size sweep at the recommended concurrency.</summary>
    /// <param name="baseUrl">The API base, <c>/v1</c> included.</param>
    /// <param name="apiKey">The API key, sent as <c>Authorization: Bearer</c> and never printed; <see langword="null"/> to send none.</param>
    /// <param name="options">What to send; defaults when <see langword="null"/>.</param>
    /// <param name="progress">Told each step's measurement as the step ends.</param>
    /// <param name="cancellationToken">Stops the benchmark; what is in flight is cancelled.</param>
    /// <returns>The measurements and the recommendation.</returns>
    /// <exception cref="ArgumentException"><paramref name="baseUrl"/> is not an absolute http(s) address, or carries user-info or a query.</exception>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range (the message names it).</exception>
    /// <exception cref="InvalidOperationException">The host is not loopback and <see cref="EndpointBenchmarkOptions.AllowNonLoopback"/> is not set; nothing was sent.</exception>
    public static async Task<EndpointBenchmarkResult> RunAsync(Uri baseUrl, string? apiKey, EndpointBenchmarkOptions? options = null, IProgress<BenchmarkMeasurement>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(baseUrl);
        options ??= new EndpointBenchmarkOptions();
        var plan = Plan(options);
        if (!baseUrl.IsAbsoluteUri || (baseUrl.Scheme != Uri.UriSchemeHttp && baseUrl.Scheme != Uri.UriSchemeHttps))
        {
            throw new ArgumentException("The base URL must be an absolute http or https address.", nameof(baseUrl));
        }

        if (!string.IsNullOrEmpty(baseUrl.UserInfo) || !string.IsNullOrEmpty(baseUrl.Query))
        {
            throw new ArgumentException("The base URL must not carry user-info or a query (either may hold a secret).", nameof(baseUrl));
        }

        string address = ProviderLaneRegistry.SafeAddress(baseUrl);
        if (!options.AllowNonLoopback && !IsLoopback(baseUrl))
        {
            throw new InvalidOperationException($"{address} is not a loopback address: a benchmark spends the provider's quota. Set AllowNonLoopback to benchmark it; nothing was sent.");
        }

        using var runner = new BenchmarkStepRunner(baseUrl, apiKey, options);
        var rule = options.Rule;
        var concurrencySteps = new List<BenchmarkMeasurement>();
        string? concurrencyStop = null;
        foreach (var step in plan.ConcurrencySteps)
        {
            var measured = await runner.MeasureAsync(BenchmarkSweep.Concurrency, step, cancellationToken).ConfigureAwait(false);
            concurrencySteps.Add(measured);
            progress?.Report(measured);
            if (rule.StopReason(concurrencySteps) is { } reason && step != plan.ConcurrencySteps[^1])
            {
                concurrencyStop = reason;
                break;
            }
        }

        var concurrency = rule.ChooseConcurrency(concurrencySteps);

        if (options.Endpoint != BenchmarkEndpoint.Embeddings)
        {
            return new EndpointBenchmarkResult
            {
                BaseUrl = address, Endpoint = options.Endpoint, Model = options.Model, Plan = plan,
                ConcurrencySteps = concurrencySteps, ConcurrencyStopReason = concurrencyStop, Concurrency = concurrency,
            };
        }

        var groupSteps = new List<BenchmarkMeasurement>();
        string? groupStop = null;
        if (concurrency.Value is not { } chosen)
        {
            groupStop = "no concurrency was recommended, so no group size was measured";
        }
        else if (options.GroupSizes.Count == 0)
        {
            groupStop = "no group sizes to sweep";
        }
        else
        {
            int budget = options.MaxRequests - concurrencySteps.Sum(s => s.Requests);
            int perStep = options.RequestsFor(chosen);
            for (int i = 0; i < options.GroupSizes.Count; i++)
            {
                int size = options.GroupSizes[i];
                int requests = Math.Min(perStep, budget);
                if (requests < chosen)
                {
                    groupStop = $"group size {size} and above were not measured: fewer than {chosen} requests (one per slot) were left under the cap of {options.MaxRequests}";
                    break;
                }

                var measured = await runner.MeasureAsync(BenchmarkSweep.GroupSize, new BenchmarkStep(chosen, size, requests, requests * BenchmarkBodies.EstimateTokens(options, 0, size)), cancellationToken).ConfigureAwait(false);
                budget -= requests;
                groupSteps.Add(measured);
                progress?.Report(measured);
                if (rule.StopReason(groupSteps) is { } reason && i < options.GroupSizes.Count - 1)
                {
                    groupStop = reason;
                    break;
                }
            }
        }

        var groupSize = rule.ChooseGroupSize(groupSteps);

        return new EndpointBenchmarkResult
        {
            BaseUrl = address, Endpoint = options.Endpoint, Model = options.Model, Plan = plan,
            ConcurrencySteps = concurrencySteps, ConcurrencyStopReason = concurrencyStop, Concurrency = concurrency,
            GroupSizeSteps = groupSteps, GroupSizeStopReason = groupStop, GroupSize = groupSize,
        };
    }
}
