using System.Runtime.CompilerServices;

namespace Sluice.BatchFiles;

/// <summary>What a resumed run still has to send.</summary>
public static class ResumePlan
{
    /// <summary>The valid requests of the input that the journal does not record as done, in input order, streaming.</summary>
    /// <param name="input">The input file's reader.</param>
    /// <param name="completed">The done items (<see cref="RunJournalReader.ReadCompletedAsync"/>).</param>
    /// <param name="cancellationToken">Stops the reading.</param>
    /// <returns>The requests to send, lazily.</returns>
    public static async IAsyncEnumerable<BatchRequest> RemainingAsync(BatchInputReader input, CompletedItems completed, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(completed);
        await foreach (var request in input.ReadRequestsAsync(cancellationToken).ConfigureAwait(false))
        {
            if (!completed.Contains(request.CustomId))
            {
                yield return request;
            }
        }
    }
}
