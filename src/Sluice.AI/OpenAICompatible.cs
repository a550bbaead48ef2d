using System.ClientModel;
using System.ClientModel.Primitives;
using Microsoft.Extensions.AI;
using OpenAI;

namespace Sluice.AI;

/// <summary>
/// Creates Microsoft.Extensions.AI clients for any OpenAI-compatible endpoint with Sluice's whole throughput stack
/// (usage → retry → concurrency → rate budget → attempt timeout). The OpenAI SDK's own retries are turned off, so one
/// retry layer governs and every 429 reaches Sluice's budget and limit.
/// </summary>
public static class OpenAICompatible
{
    private static readonly Lazy<HttpClient> SharedHttp = new(() => new HttpClient(new SocketsHttpHandler
    {
        PooledConnectionLifetime = TimeSpan.FromMinutes(5),
        MaxConnectionsPerServer = int.MaxValue,
        ConnectTimeout = TimeSpan.FromSeconds(15),
    })
    {
        Timeout = Timeout.InfiniteTimeSpan,
    });

    /// <summary>Creates a chat client.</summary>
    /// <param name="baseUrl">The API base, e.g. <c>https://api.openai.com/v1</c> or a simulator's <c>http://127.0.0.1:port/v1</c>.</param>
    /// <param name="apiKey">The API key; sent to the provider only, never printed or logged.</param>
    /// <param name="model">The model, e.g. <c>gpt-4o-mini</c>.</param>
    /// <param name="options">Limits and retries; defaults (adaptive concurrency, limits learned from headers) when
    /// <see langword="null"/>. The client joins the lane of (<paramref name="baseUrl"/>, <paramref name="model"/>, key) in
    /// <see cref="SluiceClientOptions.Lanes"/>; a new lane takes its budget and limit from these options.</param>
    /// <returns>The client. <c>GetService&lt;UsageLedger&gt;()</c>, <c>GetService&lt;RateBudget&gt;()</c> and
    /// <c>GetService&lt;ConcurrencyLimit&gt;()</c> return its accounting, budget and limit.</returns>
    public static IChatClient CreateChatClient(Uri baseUrl, string apiKey, string model, SluiceClientOptions? options = null)
    {
        options = Check(baseUrl, apiKey, model, options);
        var lane = options.Lanes.GetOrAdd(baseUrl, model, apiKey, options);
        IChatClient inner = CreateOpenAIClient(baseUrl, apiKey, options, lane).GetChatClient(model).AsIChatClient();
        return SluiceChatClientBuilderExtensions.AddThroughputLayers(new ChatClientBuilder(inner), lane, options).Build();
    }

    /// <summary>Creates an embedding generator.</summary>
    /// <param name="baseUrl">The API base.</param>
    /// <param name="apiKey">The API key; never printed or logged.</param>
    /// <param name="model">The embedding model, e.g. <c>text-embedding-3-small</c>.</param>
    /// <param name="options">Limits and retries; defaults when <see langword="null"/>.</param>
    /// <returns>The generator, with the same services as the chat client.</returns>
    public static IEmbeddingGenerator<string, Embedding<float>> CreateEmbeddingGenerator(Uri baseUrl, string apiKey, string model, SluiceClientOptions? options = null)
    {
        options = Check(baseUrl, apiKey, model, options);
        var lane = options.Lanes.GetOrAdd(baseUrl, model, apiKey, options);
        var inner = CreateOpenAIClient(baseUrl, apiKey, options, lane).GetEmbeddingClient(model).AsIEmbeddingGenerator();
        return SluiceEmbeddingGeneratorBuilderExtensions.AddThroughputLayers(new EmbeddingGeneratorBuilder<string, Embedding<float>>(inner), lane, options).Build();
    }

    /// <summary>Creates an <see cref="HttpClient"/> for raw requests to an OpenAI-compatible endpoint, through a
    /// <see cref="SluiceThroughputHandler"/> on the lane of (<paramref name="baseUrl"/>, <paramref name="model"/>, key):
    /// the same budget and limit as this factory's chat and embedding clients for that lane.</summary>
    /// <param name="baseUrl">The API base, <c>/v1</c> included; the client's <see cref="HttpClient.BaseAddress"/> (with a
    /// trailing slash), so requests name paths relative to it (<c>chat/completions</c>, <c>embeddings</c>).</param>
    /// <param name="apiKey">The API key, sent as <c>Authorization: Bearer</c>; never printed or logged.</param>
    /// <param name="model">The model the requests name, for the lane.</param>
    /// <param name="options">Limits and retries; defaults when <see langword="null"/>. <see cref="SluiceClientOptions.HttpClient"/>
    /// is not used: the client owns its connection pool.</param>
    /// <returns>The client (no overall timeout of its own: each attempt has the attempt timeout) and its handler, for the
    /// handler's <see cref="SluiceThroughputHandler.Ledger"/> and <see cref="SluiceThroughputHandler.Lane"/>.</returns>
    public static (HttpClient Client, SluiceThroughputHandler Handler) CreateHttpClient(Uri baseUrl, string apiKey, string model, SluiceClientOptions? options = null)
    {
        options = Check(baseUrl, apiKey, model, options);
        var lane = options.Lanes.GetOrAdd(baseUrl, model, apiKey, options);
        var handler = new SluiceThroughputHandler(
            new SocketsHttpHandler
            {
                PooledConnectionLifetime = TimeSpan.FromMinutes(5),
                MaxConnectionsPerServer = int.MaxValue,
                ConnectTimeout = TimeSpan.FromSeconds(15),
            },
            lane,
            options);
        string root = baseUrl.AbsoluteUri.EndsWith('/') ? baseUrl.AbsoluteUri : baseUrl.AbsoluteUri + "/";
        var client = new HttpClient(handler) { BaseAddress = new Uri(root), Timeout = Timeout.InfiniteTimeSpan };
        client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", apiKey);
        return (client, handler);
    }

    private static SluiceClientOptions Check(Uri baseUrl, string apiKey, string model, SluiceClientOptions? options)
    {
        ArgumentNullException.ThrowIfNull(baseUrl);
        if (!baseUrl.IsAbsoluteUri || (baseUrl.Scheme != Uri.UriSchemeHttp && baseUrl.Scheme != Uri.UriSchemeHttps))
        {
            throw new ArgumentException($"The base URL must be an absolute http or https address; it was '{ProviderLaneRegistry.SafeAddress(baseUrl)}'.", nameof(baseUrl));
        }

        ArgumentException.ThrowIfNullOrWhiteSpace(apiKey, nameof(apiKey));
        ArgumentException.ThrowIfNullOrWhiteSpace(model, nameof(model));
        return (options ?? new SluiceClientOptions()).Validate();
    }

    private static OpenAIClient CreateOpenAIClient(Uri baseUrl, string apiKey, SluiceClientOptions options, ProviderLane lane)
    {
        var clientOptions = new OpenAIClientOptions
        {
            Endpoint = baseUrl,
            RetryPolicy = new ClientRetryPolicy(0),
            NetworkTimeout = options.AttemptTimeout.Timeout + TimeSpan.FromSeconds(10),
            Transport = new HttpClientPipelineTransport(options.HttpClient ?? SharedHttp.Value),
        };
        clientOptions.AddPolicy(new RateLimitHeaderPolicy(lane.Budget), PipelinePosition.PerTry);
        return new OpenAIClient(new ApiKeyCredential(apiKey), clientOptions);
    }
}
