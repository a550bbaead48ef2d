using System.Collections.Concurrent;

namespace Sluice.AI;

/// <summary>A <see cref="CapacityLeaser"/> kept in this process: one <see cref="CapacityAllocator"/> per lane. For
/// budgets in one process that must each keep a share (and for tests of the sharing itself); one
/// <see cref="LocalRateBudget"/> shared by reference does the same with less machinery.</summary>
public sealed class InProcessCapacityLeaser : CapacityLeaser
{
    private readonly ConcurrentDictionary<string, CapacityAllocator> _lanes = new(StringComparer.Ordinal);
    private readonly CapacityAllocatorOptions? _options;
    private readonly TimeProvider? _time;

    /// <summary>Creates a leaser.</summary>
    /// <param name="options">The lease rules; defaults when <see langword="null"/>.</param>
    /// <param name="timeProvider">The clock; <see cref="TimeProvider.System"/> when <see langword="null"/>.</param>
    public InProcessCapacityLeaser(CapacityAllocatorOptions? options = null, TimeProvider? timeProvider = null)
    {
        _options = options;
        _time = timeProvider;
    }

    /// <inheritdoc />
    public override ValueTask<CapacityLease> LeaseAsync(CapacityRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        cancellationToken.ThrowIfCancellationRequested();
        var allocator = _lanes.GetOrAdd(request.Lane, static (_, s) => new CapacityAllocator(s._options, s._time), this);
        return new ValueTask<CapacityLease>(allocator.Grant(request));
    }

    /// <inheritdoc />
    public override ValueTask ReturnAsync(string lane, string holder, CancellationToken cancellationToken = default)
    {
        if (_lanes.TryGetValue(lane, out var allocator))
        {
            allocator.Return(holder);
        }

        return ValueTask.CompletedTask;
    }
}
