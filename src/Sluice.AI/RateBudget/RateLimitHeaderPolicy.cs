using System.ClientModel.Primitives;

namespace Sluice.AI;

/// <summary>
/// An OpenAI SDK pipeline policy that shows every response's <c>x-ratelimit-*</c> headers to a <see cref="RateBudget"/>,
/// and pauses the budget the moment a 429 arrives — before the SDK turns it into an exception — so that no other
/// caller of the budget slips through while the exception travels up the stack. A 429 that waiting cannot cure
/// (<c>insufficient_quota</c>, or <c>x-should-retry: false</c>) does not pause the budget: it fails at once, and the
/// calls behind it get the same answer without waiting for nothing.
/// </summary>
internal sealed class RateLimitHeaderPolicy(RateBudget budget, TimeProvider time) : PipelinePolicy
{
    public override void Process(PipelineMessage message, IReadOnlyList<PipelinePolicy> pipeline, int currentIndex)
    {
        ProcessNext(message, pipeline, currentIndex);
        if (message.Response is { Status: 429 } limited && !message.BufferResponse)
        {
            try
            {
                limited.BufferContent(message.CancellationToken); // an error body is small, and the SDK reads it next anyway
            }
            catch
            {
                Observe(message.Response, bodyRead: false); // still pause from the headers, then let the failure surface
                throw;
            }
        }

        Observe(message.Response, bodyRead: true);
    }

    public override async ValueTask ProcessAsync(PipelineMessage message, IReadOnlyList<PipelinePolicy> pipeline, int currentIndex)
    {
        await ProcessNextAsync(message, pipeline, currentIndex).ConfigureAwait(false);
        if (message.Response is { Status: 429 } limited && !message.BufferResponse)
        {
            try
            {
                await limited.BufferContentAsync(message.CancellationToken).ConfigureAwait(false); // small, and the SDK reads it next anyway
            }
            catch
            {
                Observe(message.Response, bodyRead: false); // still pause from the headers, then let the failure surface
                throw;
            }
        }

        Observe(message.Response, bodyRead: true);
    }

    /// <summary>Shows the response's rate headers to the budget and pauses it after a 429 that waiting can cure.</summary>
    /// <param name="response">The response, if any.</param>
    /// <param name="bodyRead">Whether the body is buffered; when it could not be read, a 429 is judged by its headers alone.</param>
    private void Observe(PipelineResponse? response, bool bodyRead)
    {
        if (response is null)
        {
            return;
        }

        string? Header(string name) => response.Headers.TryGetValue(name, out string? value) ? value : null;
        if (response.Status == 429
            && FailureClassifier.ClassifyResponse(429, Header, bodyRead ? response.Content.ToString() : string.Empty) == FailureKind.Overloaded)
        {
            budget.PauseFor(FailureClassifier.RetryAfter(Header, time.GetUtcNow()) ?? TimeSpan.FromSeconds(1));
        }

        var headers = RateLimitHeaders.Parse(Header);
        if (headers is not null)
        {
            budget.Observe(headers);
        }
    }
}
