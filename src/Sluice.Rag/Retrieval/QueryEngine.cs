using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;
using System.Text;
using Sluice.AI;

namespace Sluice.Rag;

/// <summary>
/// A RAG query engine: a <see cref="VectorRetriever"/> finds the passages, an <see cref="IResponseSynthesizer"/>
/// answers from them (LlamaIndex's <c>RetrieverQueryEngine</c>). It implements <see cref="IQueryEngine"/>, so
/// Sluice's evaluation runner can evaluate it. <see cref="QueryManyAsync"/> answers many queries: retrieval in groups
/// (batched embeddings, one batched search per group), synthesis through <see cref="Batch"/> with bounded concurrency.
/// </summary>
/// <remarks>
/// <para>Without a synthesizer (no chat model configured) the engine still retrieves, and says so: the response text
/// begins with <see cref="NoChatModelNotice"/> followed by the numbered passages, and <see cref="QueryAnswer.Generated"/>
/// is <see langword="false"/>. It never presents retrieved text as a generated answer. When nothing with text is
/// retrieved no chat call is made and the response is <see cref="NothingRetrievedNotice"/>.</para>
/// <para>Every <see cref="QueryResponse"/> carries <see cref="QueryResponse.SourceIds"/>, one per passage: the
/// <em>document</em> id of each retrieved chunk (its <see cref="IngestionPipeline.DocumentIdField"/> metadata, which
/// <see cref="IngestionPipeline"/> writes on every chunk: the file's path relative to the ingested directory, or a JSON
/// Lines record's id), or the record's key for records written without it (see <see cref="SourceIdOf"/>). Relevance
/// judgements are per document, so these are what retrieval evaluation compares; chunk keys are in
/// <see cref="QueryAnswer.Hits"/>.</para>
/// <para>Thread-safe. It does not own the retriever or the synthesizer.</para>
/// </remarks>
public sealed class QueryEngine : IQueryEngine
{
    /// <summary>The first line of every response of an engine without a chat model.</summary>
    public const string NoChatModelNotice =
        "No answer was generated: this query engine has no chat model configured. Below is the retrieved context, best first; it is not an answer.";

    /// <summary>The response when retrieval found nothing, or only records without text (no chat call is made).</summary>
    public const string NothingRetrievedNotice = "No answer was generated: nothing with text was retrieved for this query.";

    private readonly VectorRetriever _retriever;
    private readonly IResponseSynthesizer? _synthesizer;

    /// <summary>Creates a query engine.</summary>
    /// <param name="retriever">Finds the passages.</param>
    /// <param name="synthesizer">Answers from them; <see langword="null"/> for retrieval only (the responses then say
    /// that no answer was generated).</param>
    /// <param name="options">Settings for <see cref="QueryManyAsync"/>; defaults when <see langword="null"/>.</param>
    /// <exception cref="ArgumentNullException"><paramref name="retriever"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">An option is invalid; the message names it.</exception>
    public QueryEngine(VectorRetriever retriever, IResponseSynthesizer? synthesizer = null, QueryEngineOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(retriever);
        _retriever = retriever;
        _synthesizer = synthesizer;
        Options = (options ?? new QueryEngineOptions()).Validate();
    }

    /// <summary>Gets the settings in force.</summary>
    public QueryEngineOptions Options { get; }

    /// <summary>Gets whether the engine has a chat model (a synthesizer) and so generates answers.</summary>
    public bool HasChatModel => _synthesizer is not null;

    /// <inheritdoc />
    /// <remarks>The response's <see cref="QueryResponse.SourceIds"/> are the passages' document ids (see <see cref="SourceIdOf"/>).</remarks>
    /// <exception cref="ArgumentNullException"><paramref name="query"/> is <see langword="null"/>.</exception>
    public async Task<QueryResponse> QueryAsync(string query, CancellationToken cancellationToken) =>
        (await AnswerAsync(query, cancellationToken).ConfigureAwait(false)).Response;

    /// <summary>Answers one query, with the hits and whether the answer was generated.</summary>
    /// <param name="query">The question.</param>
    /// <param name="cancellationToken">Cancels retrieval and synthesis.</param>
    /// <returns>The answer.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="query"/> is <see langword="null"/>.</exception>
    public async Task<QueryAnswer> AnswerAsync(string query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        var hits = await _retriever.RetrieveAsync(query, null, cancellationToken).ConfigureAwait(false);
        return await AnswerFromAsync(query, hits, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Answers many queries: retrieved in groups of <see cref="QueryEngineOptions.RetrievalGroupSize"/> (the
    /// next group while the current one's queries are being answered), synthesized at most
    /// <see cref="QueryEngineOptions.MaxConcurrency"/> at once.</summary>
    /// <param name="queries">The questions; read lazily, a group at a time.</param>
    /// <param name="cancellationToken">Stops the run.</param>
    /// <returns>One result per query, in input order. A failed query (its retrieval group's embedding call, its
    /// synthesis) is a result with <see cref="ItemResult{TIn, TOut}.Error"/> set; the others go on. A
    /// <see langword="null"/> query fails alone with an <see cref="ArgumentException"/>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="queries"/> is <see langword="null"/>.</exception>
    public IAsyncEnumerable<ItemResult<string, QueryAnswer>> QueryManyAsync(IEnumerable<string> queries, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(queries);
        return RunManyAsync(queries, cancellationToken);
    }

    /// <summary>The id <see cref="QueryResponse.SourceIds"/> gives for a hit: the document it was cut from
    /// (<see cref="IngestionPipeline.DocumentIdField"/>) when the record says, else its index key.</summary>
    /// <param name="hit">A retrieved record.</param>
    /// <returns>The source id.</returns>
    public static string SourceIdOf(SearchHit hit)
    {
        ArgumentNullException.ThrowIfNull(hit);
        return hit.Metadata.TryGetValue(IngestionPipeline.DocumentIdField, out var documentId) && !string.IsNullOrEmpty(documentId)
            ? documentId
            : hit.Key;
    }

    private async IAsyncEnumerable<ItemResult<string, QueryAnswer>> RunManyAsync(
        IEnumerable<string> queries, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var batch = new BatchOptions { MaxConcurrency = Options.MaxConcurrency, Ordered = true, TimeProvider = Options.TimeProvider };
        var results = Batch.ProcessAsync(RetrieveGroupsAsync(queries, cancellationToken), AnswerRetrievedAsync, batch, cancellationToken);
        await foreach (var result in results.ConfigureAwait(false))
        {
            yield return new ItemResult<string, QueryAnswer>(result.Index, result.Input.Query, result.Value, result.Error, result.Attempts, result.Elapsed);
        }
    }

    /// <summary>The batch's source: each group's queries with their hits, or with the error that kept them from any.
    /// The next group is retrieved while this one's queries are answered, so synthesis never waits at a group's end.</summary>
    private async IAsyncEnumerable<Retrieved> RetrieveGroupsAsync(IEnumerable<string> queries, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using var groups = queries.Chunk(Options.RetrievalGroupSize).GetEnumerator();
        Task<Retrieved[]>? pending = groups.MoveNext() ? RetrieveGroupAsync(groups.Current, stop.Token) : null;
        try
        {
            while (pending is not null)
            {
                Retrieved[] current = await pending.ConfigureAwait(false);
                pending = null;
                pending = groups.MoveNext() ? RetrieveGroupAsync(groups.Current, stop.Token) : null;
                foreach (var item in current)
                {
                    yield return item;
                }
            }
        }
        finally
        {
            if (pending is not null)
            {
                // The consumer stopped early: cancel the group being retrieved ahead and wait for it.
                await stop.CancelAsync().ConfigureAwait(false);
                try
                {
                    await pending.ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                }
            }
        }
    }

    private async Task<Retrieved[]> RetrieveGroupAsync(string[] group, CancellationToken cancellationToken)
    {
        var valid = group.Where(q => q is not null).ToList();
        IReadOnlyList<IReadOnlyList<SearchHit>>? hits = null;
        ExceptionDispatchInfo? error = null;
        try
        {
            hits = await _retriever.RetrieveManyAsync(valid, null, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (!(ex is OperationCanceledException && cancellationToken.IsCancellationRequested))
        {
            error = ExceptionDispatchInfo.Capture(ex); // every query of the group fails with the same error
        }

        var items = new Retrieved[group.Length];
        int next = 0;
        for (int i = 0; i < group.Length; i++)
        {
            items[i] = group[i] is null
                ? new Retrieved("", null, ExceptionDispatchInfo.Capture(new ArgumentException("The query is null; every query must be a string.", "queries")))
                : new Retrieved(group[i], hits?[next++], error);
        }

        return items;
    }

    private async ValueTask<QueryAnswer> AnswerRetrievedAsync(Retrieved item, CancellationToken cancellationToken)
    {
        item.Error?.Throw();

        return await AnswerFromAsync(item.Query, item.Hits!, cancellationToken).ConfigureAwait(false);
    }

    private async Task<QueryAnswer> AnswerFromAsync(string query, IReadOnlyList<SearchHit> hits, CancellationToken cancellationToken)
    {
        var passages = hits.Select(h => h.Text).ToArray();
        var ids = hits.Select(SourceIdOf).ToArray();
        if (passages.All(string.IsNullOrWhiteSpace))
        {
            return new QueryAnswer { Query = query, Response = new QueryResponse(NothingRetrievedNotice, passages) { SourceIds = ids }, Hits = hits, Generated = false };
        }

        if (_synthesizer is null)
        {
            return new QueryAnswer { Query = query, Response = new QueryResponse(ContextOnly(hits), passages) { SourceIds = ids }, Hits = hits, Generated = false };
        }

        string answer = await _synthesizer.SynthesizeAsync(query, passages, cancellationToken).ConfigureAwait(false);
        return new QueryAnswer { Query = query, Response = new QueryResponse(answer, passages) { SourceIds = ids }, Hits = hits, Generated = true };
    }

    private static string ContextOnly(IReadOnlyList<SearchHit> hits)
    {
        var text = new StringBuilder(NoChatModelNotice);
        for (int i = 0; i < hits.Count; i++)
        {
            text.Append("\n\n[").Append(i + 1).Append("] ").Append(hits[i].Text);
        }

        return text.ToString();
    }

    private sealed record Retrieved(string Query, IReadOnlyList<SearchHit>? Hits, ExceptionDispatchInfo? Error);
}
