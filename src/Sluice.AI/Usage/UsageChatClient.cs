using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;

namespace Sluice.AI;

/// <summary>The outermost layer: counts calls and the tokens the provider reported into a <see cref="UsageLedger"/>.</summary>
public sealed class UsageChatClient(IChatClient inner, UsageLedger ledger) : DelegatingChatClient(inner)
{
    /// <inheritdoc />
    public override async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        try
        {
            var response = await base.GetResponseAsync(messages, options, cancellationToken).ConfigureAwait(false);
            ledger.RecordTokens(response.Usage?.InputTokenCount, response.Usage?.OutputTokenCount);
            ledger.RecordCall(true);
            return response;
        }
        catch
        {
            ledger.RecordCall(false);
            throw;
        }
    }

    /// <inheritdoc />
    public override async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        bool completed = false;
        try
        {
            await foreach (var update in base.GetStreamingResponseAsync(messages, options, cancellationToken).ConfigureAwait(false))
            {
                foreach (var usage in update.Contents.OfType<UsageContent>())
                {
                    ledger.RecordTokens(usage.Details.InputTokenCount, usage.Details.OutputTokenCount);
                }

                yield return update;
            }

            completed = true;
        }
        finally
        {
            ledger.RecordCall(completed);
        }
    }

    /// <inheritdoc />
    public override object? GetService(Type serviceType, object? serviceKey = null) =>
        serviceKey is null && serviceType == typeof(UsageLedger) ? ledger : base.GetService(serviceType, serviceKey);
}
