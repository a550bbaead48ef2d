using System.Globalization;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.AI.Evaluation;
using Sluice.AI;
using Sluice.BatchFiles;
using Sluice.LocalEmbeddings;
using Sluice.Rag;

namespace Sluice.Evaluation.Runs;

/// <summary>
/// A dataset evaluated by <see cref="BatchEvalRunner"/> over a RAG system (a <see cref="QueryEngine"/> over a vector
/// index), journalled and resumable like <c>sluice run</c>: what <c>sluice eval</c> runs.
/// </summary>
/// <remarks>
/// <para>Order of work: read and check the whole dataset (<see cref="EvalDataset"/>); choose the evaluators
/// (<see cref="EvaluatorCatalog"/>); lock the run directory and check its manifest (a resume whose dataset or settings
/// changed is refused with the changes); answer every case still to do (live retrieval, and synthesis when a chat
/// model is configured), each answer journalled; evaluate, each finished (case, evaluator) outcome journalled through
/// <see cref="BatchEvalOptions.OutcomeCompleted"/> before it counts; then write <c>results.jsonl</c>,
/// <c>results.csv</c> and <c>summary.json</c> from the journal.</para>
/// <para>A resumed run asks neither the engine nor any evaluator again for what the journal holds: a journalled answer
/// is reused, a journalled outcome is kept as it is (invalid ones included, as <c>sluice run</c> keeps failed items).</para>
/// </remarks>
public sealed class EvalJob
{
    private readonly EvalJobOptions _options;

    /// <summary>Creates the job.</summary>
    /// <param name="options">What to evaluate and where to write.</param>
    /// <exception cref="ArgumentOutOfRangeException"><see cref="EvalJobOptions.Workers"/> or <see cref="EvalJobOptions.TopK"/> is below 1.</exception>
    public EvalJob(EvalJobOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentException.ThrowIfNullOrWhiteSpace(options.DatasetPath);
        ArgumentException.ThrowIfNullOrWhiteSpace(options.RunDirectory);
        if (options.Workers < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.Workers, $"EvalJobOptions.Workers must be at least 1; it was {options.Workers}.");
        }

        if (options.TopK < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.TopK, $"EvalJobOptions.TopK must be at least 1; it was {options.TopK}.");
        }

        _options = options;
        Directory = new EvalRunDirectory(options.RunDirectory);
    }

    /// <summary>Gets the run directory.</summary>
    public EvalRunDirectory Directory { get; }

    /// <summary>Runs the evaluation (or the rest of it, when resuming).</summary>
    /// <param name="cancellationToken">Stops the run; what finished is journalled, and a resume continues from there.</param>
    /// <returns>The summary.</returns>
    /// <exception cref="EvalDatasetException">The dataset has a bad line (nothing was evaluated).</exception>
    /// <exception cref="EvalRunRefusedException">The run cannot start (nothing was evaluated).</exception>
    /// <exception cref="OperationCanceledException">The run was stopped.</exception>
    public async Task<EvalJobResult> RunAsync(CancellationToken cancellationToken = default)
    {
        var time = _options.TimeProvider;
        long started = time.GetTimestamp();
        string datasetPath = Path.GetFullPath(_options.DatasetPath);
        var cases = EvalDataset.Read(datasetPath);
        string? indexPath = _options.IndexPath is null ? null : Path.GetFullPath(_options.IndexPath);
        if (indexPath is not null && !File.Exists(indexPath))
        {
            throw new EvalRunRefusedException($"--index: no such index file: {indexPath}. Build one with sluice ingest (or try sluice eval --sample).");
        }

        var selection = EvaluatorCatalog.Choose(_options.Evaluators, cases, indexPath is not null, _options.ChatClient is not null);
        System.IO.Directory.CreateDirectory(Directory.Path);
        using var runLock = LockDirectory();
        using var index = indexPath is null ? null : VectorIndex.Open(indexPath);
        await CheckManifestAsync(datasetPath, indexPath, index, selection, cancellationToken).ConfigureAwait(false);

        var done = await EvalJournal.ReadAsync(Directory.JournalPath, cancellationToken).ConfigureAwait(false);
        int resumed = done.Outcomes.Count;
        bool needsEmbeddings = index is not null || selection.Chosen.Any(static e => e.Name == "semantic_similarity");
        var ownGenerator = needsEmbeddings && _options.EmbeddingGenerator is null ? new LocalEmbeddingGenerator() : null;
        try
        {
            var embeddings = _options.EmbeddingGenerator ?? ownGenerator;
            var progress = new EvalProgress(
                (long)cases.Count * selection.Chosen.Count, resumed, _options.Workers, _options.ChatClient?.GetService<UsageLedger>(), time);
            await using (var journal = RunJournal.Open(Directory.JournalPath, _options.Journal))
            await using (var timeline = await StartTimelineAsync(progress, cancellationToken).ConfigureAwait(false))
            using (AttemptListener(timeline))
            {
                var chat = _options.ChatClient is { } client && timeline is not null ? new TimedChatClient(client, timeline.Latency, time) : _options.ChatClient;
                var work = new EvalWorkPlan(cases, selection, done);
                await work.JournalInapplicableAsync(journal, progress, cancellationToken).ConfigureAwait(false);
                if (index is not null)
                {
                    await AnswerAsync(work, index, embeddings!, chat, journal, done, progress, cancellationToken).ConfigureAwait(false);
                }

                await EvaluateAsync(work, selection, embeddings, chat, done, journal, progress, cancellationToken).ConfigureAwait(false);
            }

            var final = await EvalJournal.ReadAsync(Directory.JournalPath, cancellationToken).ConfigureAwait(false);
            var records = Ordered(cases, selection, final);
            var metrics = selection.Chosen.Select(e => EvalSummary.Compute(e.Name, [.. records.Where(r => r.Evaluator == e.Name).Select(ToOutcome)])).ToArray();
            var result = new EvalJobResult
            {
                Directory = Directory,
                Cases = cases.Count,
                Evaluators = [.. selection.Chosen.Select(static e => e.Name)],
                Skipped = selection.Skipped,
                Metrics = metrics,
                ResumedOutcomes = resumed,
                Elapsed = time.GetElapsedTime(started),
            };
            await EvalRunFiles.WriteAsync(Directory, records, result, datasetPath, indexPath, cancellationToken).ConfigureAwait(false);
            return result;
        }
        finally
        {
            ownGenerator?.Dispose();
        }
    }

    /// <summary>Retrieves (and, with a chat model, answers) every case that still has evaluations to run and no journalled answer.</summary>
    private async Task AnswerAsync(EvalWorkPlan work, VectorIndex index, IEmbeddingGenerator<string, Embedding<float>> embeddings, IChatClient? chat, RunJournal journal, EvalJournal done, EvalProgress progress, CancellationToken cancellationToken)
    {
        var pending = work.Cases.Where(c => work.Runnable[c.Id].Count > 0 && !done.Answers.ContainsKey(c.Id)).ToArray();
        if (pending.Length == 0)
        {
            return;
        }

        var synthesizer = chat is null ? null : ResponseSynthesizer.Create(chat, _options.SynthesisMode);
        var engine = new QueryEngine(
            new VectorRetriever(index, embeddings, new RetrieverOptions { TopK = _options.TopK }),
            synthesizer,
            new QueryEngineOptions { MaxConcurrency = _options.Workers, TimeProvider = _options.TimeProvider });
        _options.ProgressWriter?.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"eval: {(synthesizer is null ? "retrieving" : "retrieving and answering")} {pending.Length} queries (top {_options.TopK})"));
        var relevant = work.Cases.SelectMany(static c => c.RelevantIds ?? []).ToHashSet(StringComparer.Ordinal);
        int i = 0;
        await foreach (var item in engine.QueryManyAsync(pending.Select(static c => c.Query), cancellationToken).ConfigureAwait(false))
        {
            var @case = pending[i++];
            if (item.Succeeded)
            {
                var response = item.Value!.Response;
                var answer = new JournalledAnswer(
                    @case.Id,
                    synthesizer is null ? null : response.Response,
                    response.SourcePassages,
                    [.. response.SourceIds.Select(id => DocumentId(id, relevant))]);
                await EvalJournal.AppendAnswerAsync(journal, answer, @case.Line, cancellationToken).ConfigureAwait(false);
                done.Answers[@case.Id] = answer;
            }
            else
            {
                string reason = $"The query failed after {item.Attempts} attempt(s): {item.Error!.GetType().Name}: {item.Error.Message}";
                await work.JournalFailedAsync(journal, @case, reason, progress, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Runs the evaluations still to do: one runner per distinct set of remaining evaluators (one set in a new run).</summary>
    private async Task EvaluateAsync(EvalWorkPlan work, EvaluatorCatalog.Selection selection, IEmbeddingGenerator<string, Embedding<float>>? embeddings, IChatClient? chat, EvalJournal done, RunJournal journal, EvalProgress progress, CancellationToken cancellationToken)
    {
        var tools = new EvaluatorCatalog.Tools(chat, embeddings);
        var groups = work.Cases
            .Where(c => work.Runnable[c.Id].Count > 0)
            .GroupBy(c => string.Join(",", work.Runnable[c.Id].Select(static e => e.Name)), StringComparer.Ordinal);
        foreach (var group in groups)
        {
            var groupCases = group.ToArray();
            var entries = work.Runnable[groupCases[0].Id];
            var evaluators = entries.ToDictionary(static e => e.Name, e => progress.Counting(e.Create(tools)), StringComparer.Ordinal);
            var responses = groupCases.Select(c => Response(c, selection.Context, done)).ToArray();
            var inputs = new EvalInputs();
            if (entries.Any(static e => e.NeedsReference))
            {
                inputs.WithReferences([.. groupCases.Select(static c => c.Reference!)]);
            }

            if (entries.Any(static e => e.NeedsRelevantIds))
            {
                inputs.WithExpectedIds([.. groupCases.Select(static c => c.RelevantIds!)]);
            }

            var options = new BatchEvalOptions
            {
                ProgressWriter = _options.ProgressWriter,
                TimeProvider = _options.TimeProvider,
                OutcomeCompleted = (outcome, ct) =>
                {
                    var @case = groupCases[outcome.Index];
                    return EvalJournal.AppendOutcomeAsync(journal, Record(outcome, @case, work, selection.Context), progress, ct);
                },
            };
            var runner = new BatchEvalRunner(evaluators, _options.Workers, showProgress: _options.ProgressWriter is not null, options);
            await runner.EvaluateResponsesAsync([.. groupCases.Select(static c => c.Query)], responses, inputs, cancellationToken).ConfigureAwait(false);
        }
    }

    private static QueryResponse Response(EvalCase @case, EvaluatorCatalog.Context context, EvalJournal done)
    {
        var answer = done.Answers.GetValueOrDefault(@case.Id);
        string text = (context.Generates ? answer?.Response : @case.Response) ?? string.Empty;
        return answer is null
            ? new QueryResponse(text, @case.Contexts)
            : new QueryResponse(text, answer.Passages) { SourceIds = answer.SourceIds };
    }

    private static EvalRecord Record(EvalOutcome outcome, EvalCase @case, EvalWorkPlan work, EvaluatorCatalog.Context context) =>
        EvalRecord.From(outcome) with
        {
            Index = work.IndexOf(@case),
            CaseId = @case.Id,
            Line = @case.Line,
            Response = context.Generates || @case.Response is not null ? outcome.Response : null,
        };

    /// <summary>The id retrieval metrics compare: the document id, or the id without its file extension when the
    /// dataset's relevant ids name documents that way (as <c>samples/rag</c> does).</summary>
    private static string DocumentId(string sourceId, HashSet<string> relevant)
    {
        if (relevant.Contains(sourceId))
        {
            return sourceId;
        }

        string stem = Path.ChangeExtension(sourceId, null);
        return relevant.Contains(stem) ? stem : sourceId;
    }

    /// <summary>Every journalled outcome of the chosen evaluators, in dataset order, evaluator by evaluator within a case.</summary>
    private static List<EvalRecord> Ordered(IReadOnlyList<EvalCase> cases, EvaluatorCatalog.Selection selection, EvalJournal journal)
    {
        var records = new List<EvalRecord>(cases.Count * selection.Chosen.Count);
        foreach (var entry in selection.Chosen)
        {
            foreach (var @case in cases)
            {
                if (journal.Outcomes.TryGetValue((entry.Name, @case.Id), out var record))
                {
                    records.Add(record);
                }
            }
        }

        return records;
    }

    private static EvalOutcome ToOutcome(EvalRecord r) => new()
    {
        EvaluatorName = r.Evaluator,
        Index = r.Index,
        Query = r.Query,
        Score = r.Score,
        Passing = r.Passing,
        InvalidResult = r.InvalidResult,
        InvalidReason = r.InvalidReason,
        ScoreStdDev = r.ScoreStdDev,
    };

    /// <summary>The run's timeline (<c>timeline.jsonl</c>, <see cref="RunTimeline"/>) sampling <paramref name="progress"/>,
    /// or <see langword="null"/> when it cannot be opened: a diagnostic never stops a run.</summary>
    private async Task<RunTimeline?> StartTimelineAsync(EvalProgress progress, CancellationToken cancellationToken)
    {
        try
        {
            return await RunTimeline.StartAsync(Directory.TimelinePath, progress.Snapshot, _options.TimeProvider, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>Counts each HTTP attempt to the chat model's endpoint (when the client names it) into the timeline.</summary>
    private HttpAttemptListener? AttemptListener(RunTimeline? timeline) =>
        timeline is not null && _options.ChatClient?.GetService<ChatClientMetadata>()?.ProviderUri is { } endpoint
            ? new HttpAttemptListener(endpoint, timeline.AttemptLatency)
            : null;

    /// <summary>One run per run directory at a time (<see cref="RunLock"/>, as <c>sluice run</c>): two would evaluate the same cases and interleave the journal.</summary>
    private RunLock LockDirectory() =>
        RunLock.TryAcquire(Directory.Path, out var runLock)
            ? runLock
            : throw new EvalRunRefusedException($"another sluice eval is using {Directory.Path} (it holds {Directory.LockPath}); wait for it to end, or stop it.");

    /// <summary>Refuses a directory of an earlier run without resume, or a resume whose dataset or settings changed;
    /// writes the manifest of a new run.</summary>
    private async Task CheckManifestAsync(string datasetPath, string? indexPath, VectorIndex? index, EvaluatorCatalog.Selection selection, CancellationToken cancellationToken)
    {
        var settings = new Dictionary<string, string?>(_options.Settings)
        {
            ["index"] = indexPath ?? "(none)",
            ["index records"] = index?.Count.ToString(CultureInfo.InvariantCulture),
            ["evaluators"] = string.Join(",", selection.Chosen.Select(static e => e.Name)),
            ["top k"] = index is null ? null : _options.TopK.ToString(CultureInfo.InvariantCulture),
            ["synthesis mode"] = index is not null && _options.ChatClient is not null ? _options.SynthesisMode.ToString() : null,
        };
        RunManifest current;
        try
        {
            current = await RunManifest.CreateAsync(datasetPath, settings, _options.TimeProvider, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (ArgumentException ex)
        {
            throw new EvalRunRefusedException(ex.Message);
        }

        bool hasJournal = File.Exists(Directory.JournalPath) && new FileInfo(Directory.JournalPath).Length > 0;
        bool hasManifest = File.Exists(Directory.ManifestPath);
        if (!hasJournal && !hasManifest)
        {
            await current.WriteAsync(Directory.ManifestPath, cancellationToken).ConfigureAwait(false);
            return;
        }

        if (!_options.Resume)
        {
            throw new EvalRunRefusedException(
                $"{Directory.Path} holds an earlier eval. Add --resume to continue it (nothing it finished is asked again), or name another run directory with -o.");
        }

        if (!hasManifest)
        {
            throw new EvalRunRefusedException($"{Directory.Path} has a journal but no manifest.json, so a resume cannot check that the dataset and settings are the same; start a new run in another directory.");
        }

        var previous = await RunManifest.ReadAsync(Directory.ManifestPath, cancellationToken).ConfigureAwait(false);
        var changes = RunManifest.Compare(previous, current);
        if (changes.Count > 0)
        {
            throw new EvalRunRefusedException(
                $"--resume refused: the dataset or settings differ from the run in {Directory.Path}, so its journalled outcomes would not match. Run with the same dataset and options, or start a new run with another -o.",
                changes);
        }
    }
}
