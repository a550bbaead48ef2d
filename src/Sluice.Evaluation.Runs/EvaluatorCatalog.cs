using Microsoft.Extensions.AI;
using Microsoft.Extensions.AI.Evaluation;

namespace Sluice.Evaluation.Runs;

/// <summary>
/// The evaluators an <see cref="EvalJob"/> knows by name, what each needs, and which of them a run can use: the one
/// home of the choice between "run it" and "skip it, because…".
/// </summary>
public static class EvaluatorCatalog
{
    private static readonly Entry[] Entries =
    [
        new("hit_rate", Needs.Index | Needs.RelevantIds, static _ => new RetrieverEvaluator()),
        new("mrr", Needs.Index | Needs.RelevantIds, static _ => new PrimaryMetricEvaluator(new RetrieverEvaluator(), RetrieverEvaluator.MrrMetricName)),
        new("semantic_similarity", Needs.Response | Needs.Reference, static t => new SemanticSimilarityEvaluator(t.Embeddings!)),
        new("token_f1", Needs.Response | Needs.Reference, static _ => new TokenF1Evaluator()),
        new("rouge_l", Needs.Response | Needs.Reference, static _ => new RougeLEvaluator()),
        new("bleu", Needs.Response | Needs.Reference, static _ => new BleuEvaluator()),
        new("faithfulness", Needs.Judge | Needs.Response | Needs.Passages, static t => new FaithfulnessEvaluator(t.Judge)),
        new("relevancy", Needs.Judge | Needs.Response | Needs.Passages, static t => new RelevancyEvaluator(t.Judge)),
        new("correctness", Needs.Judge | Needs.Response | Needs.Reference, static t => new CorrectnessEvaluator(t.Judge)),
        new("answer_relevancy", Needs.Judge | Needs.Response, static t => new AnswerRelevancyEvaluator(t.Judge)),
        new("context_relevancy", Needs.Judge | Needs.Passages, static t => new ContextRelevancyEvaluator(t.Judge)),
    ];

    /// <summary>What an evaluator needs.</summary>
    [Flags]
    internal enum Needs
    {
        None = 0,
        Judge = 1,
        Index = 2,
        RelevantIds = 4,
        Reference = 8,
        Response = 16,
        Passages = 32,
    }

    /// <summary>Gets every evaluator name, in the order a run reports them: retrieval (<c>hit_rate</c>, <c>mrr</c>),
    /// the ones that need no model but the local embedding model (<c>semantic_similarity</c>, <c>token_f1</c>,
    /// <c>rouge_l</c>, <c>bleu</c>), then the LLM judges (<c>faithfulness</c>, <c>relevancy</c>, <c>correctness</c>,
    /// <c>answer_relevancy</c>, <c>context_relevancy</c>).</summary>
    public static IReadOnlyList<string> Names { get; } = [.. Entries.Select(static e => e.Name)];

    /// <summary>Chooses the evaluators of a run.</summary>
    internal static Selection Choose(IReadOnlyList<string>? requested, IReadOnlyList<EvalCase> cases, bool hasIndex, bool hasJudge)
    {
        if (requested is not null)
        {
            if (requested.Count == 0)
            {
                throw new EvalRunRefusedException("--evaluators names no evaluator; known: " + string.Join(", ", Names) + ".");
            }

            foreach (string name in requested)
            {
                if (!Names.Contains(name, StringComparer.Ordinal))
                {
                    throw new EvalRunRefusedException($"--evaluators: unknown evaluator '{name}'; known: {string.Join(", ", Names)}.");
                }
            }
        }

        var context = new Context(cases, hasIndex, hasJudge);
        var chosen = new List<Entry>();
        var skipped = new List<SkippedEvaluator>();
        foreach (var entry in Entries)
        {
            if (requested is not null && !requested.Contains(entry.Name, StringComparer.Ordinal))
            {
                continue;
            }

            if (context.WhyNot(entry.Needs) is { } reason)
            {
                if (requested is not null)
                {
                    throw new EvalRunRefusedException($"--evaluators: '{entry.Name}' cannot run: {reason}.");
                }

                skipped.Add(new SkippedEvaluator(entry.Name, reason));
            }
            else
            {
                chosen.Add(entry);
            }
        }

        if (chosen.Count == 0)
        {
            throw new EvalRunRefusedException("no evaluator can run on this dataset: " + string.Join("; ", skipped.Select(static s => $"{s.Name}: {s.Reason}")) + ".");
        }

        return new Selection([.. chosen], skipped, context);
    }

    /// <summary>What the job needs to build evaluators.</summary>
    internal sealed record Tools(IChatClient? Judge, IEmbeddingGenerator<string, Embedding<float>>? Embeddings);

    internal sealed record Entry(string Name, Needs Needs, Func<Tools, IEvaluator> Create)
    {
        public bool NeedsReference => Needs.HasFlag(Needs.Reference);

        public bool NeedsRelevantIds => Needs.HasFlag(Needs.RelevantIds);
    }

    /// <summary>The evaluators chosen, the ones skipped, and which cases each chosen one applies to.</summary>
    internal sealed record Selection(IReadOnlyList<Entry> Chosen, IReadOnlyList<SkippedEvaluator> Skipped, Context Context);

    /// <summary>What the run has (index, judge) and what its cases carry.</summary>
    internal sealed class Context(IReadOnlyList<EvalCase> cases, bool hasIndex, bool hasJudge)
    {
        public bool HasIndex { get; } = hasIndex;

        public bool HasJudge { get; } = hasJudge;

        /// <summary>Whether the response evaluated is generated (a chat model over the index) rather than the dataset's.</summary>
        public bool Generates => HasIndex && HasJudge;

        /// <summary>Why an evaluator with these needs cannot run at all, or <see langword="null"/> when it can.</summary>
        public string? WhyNot(Needs needs)
        {
            if (needs.HasFlag(Needs.Judge) && !HasJudge)
            {
                return "no chat model is configured as judge (--base-url and --model)";
            }

            if (needs.HasFlag(Needs.Index) && !HasIndex)
            {
                return "no index is given (--index): retrieval is not run";
            }

            if (needs.HasFlag(Needs.RelevantIds) && !cases.Any(static c => c.RelevantIds is { Count: > 0 }))
            {
                return "no case has \"relevant_ids\"";
            }

            if (needs.HasFlag(Needs.Reference) && !cases.Any(static c => c.Reference is not null))
            {
                return "no case has a \"reference\" answer";
            }

            if (needs.HasFlag(Needs.Response) && !Generates && !cases.Any(static c => c.Response is not null))
            {
                return "no case has a \"response\", and no chat model is configured to generate one (--base-url and --model, with --index)";
            }

            if (needs.HasFlag(Needs.Passages) && !HasIndex && !cases.Any(static c => c.Contexts is { Count: > 0 }))
            {
                return "no index is given (--index) and no case has \"contexts\"";
            }

            return null;
        }

        /// <summary>Why an evaluator with these needs cannot score this case, or <see langword="null"/> when it can.</summary>
        public string? WhyNot(Needs needs, EvalCase @case)
        {
            if (needs.HasFlag(Needs.RelevantIds) && @case.RelevantIds is not { Count: > 0 })
            {
                return $"the case has no \"relevant_ids\" (line {@case.Line})";
            }

            if (needs.HasFlag(Needs.Reference) && @case.Reference is null)
            {
                return $"the case has no \"reference\" (line {@case.Line})";
            }

            if (needs.HasFlag(Needs.Response) && !Generates && @case.Response is null)
            {
                return $"the case has no \"response\" (line {@case.Line}) and no chat model is configured to generate one";
            }

            if (needs.HasFlag(Needs.Passages) && !HasIndex && @case.Contexts is not { Count: > 0 })
            {
                return $"the case has no \"contexts\" (line {@case.Line}) and no index is given";
            }

            return null;
        }
    }
}
