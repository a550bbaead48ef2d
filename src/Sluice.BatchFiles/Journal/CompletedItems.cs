using Sluice.BatchFiles.Lines;

namespace Sluice.BatchFiles;

/// <summary>
/// The <c>custom_id</c>s a journal records as done, 16 bytes each whatever their length. When an item has several
/// records (failed, then retried), the last one counts.
/// </summary>
public sealed class CompletedItems
{
    private readonly Dictionary<UInt128, JournalOutcome> _outcomes = [];
    private readonly Dictionary<UInt128, int> _repeats = [];

    internal CompletedItems(bool retryErrors) => RetryErrors = retryErrors;

    /// <summary>Whether failed items count as not done.</summary>
    public bool RetryErrors { get; }

    /// <summary>How many distinct items the journal records.</summary>
    public int JournalledCount => _outcomes.Count;

    /// <summary>How many items' last record succeeded.</summary>
    public int SucceededCount { get; private set; }

    /// <summary>How many items' last record failed.</summary>
    public int FailedCount => _outcomes.Count - SucceededCount;

    /// <summary>How many items are done: every journalled item, or only the succeeded ones with <see cref="RetryErrors"/>.</summary>
    public int Count => RetryErrors ? SucceededCount : JournalledCount;

    /// <summary>Whether the item is done and must not be sent again.</summary>
    /// <param name="customId">The item's <c>custom_id</c>.</param>
    /// <returns><see langword="true"/> when it is done.</returns>
    public bool Contains(string customId)
    {
        ArgumentNullException.ThrowIfNull(customId);
        // A new run's journal is empty: no id needs hashing to know it is not done.
        return _outcomes.Count > 0 && _outcomes.TryGetValue(CustomIdKey.Of(customId), out var outcome) && (outcome == JournalOutcome.Succeeded || !RetryErrors);
    }

    /// <summary>The items with more than one record, and how many each has (only they need the last record picked).</summary>
    internal Dictionary<UInt128, int> Repeats => _repeats;

    /// <summary>Whether the journal holds any record of the item, done or not.</summary>
    internal bool HasRecord(string customId) => _outcomes.Count > 0 && _outcomes.ContainsKey(CustomIdKey.Of(customId));

    internal void Record(string customId, JournalOutcome outcome)
    {
        var key = CustomIdKey.Of(customId);
        if (_outcomes.TryGetValue(key, out var previous))
        {
            _repeats[key] = _repeats.GetValueOrDefault(key, 1) + 1;
            if (previous == JournalOutcome.Succeeded)
            {
                SucceededCount--;
            }
        }

        _outcomes[key] = outcome;
        if (outcome == JournalOutcome.Succeeded)
        {
            SucceededCount++;
        }
    }
}
