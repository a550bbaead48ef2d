using System.Threading.Channels;

namespace Sluice.Evaluation;

/// <summary>
/// The work of a run that starts from queries: every query, and each case's evaluations as soon as its query has
/// answered. Ready evaluations always come before the next query, so a case is evaluated while later queries still
/// run, and one concurrency bound covers both. Enumerated once.
/// </summary>
internal sealed class PipelinedWorkSource : IAsyncEnumerable<EvalWork>
{
    private readonly Channel<EvalWork> _ready = Channel.CreateUnbounded<EvalWork>(new UnboundedChannelOptions { SingleReader = true });
    private readonly int _cases;
    private readonly int _evaluators;
    private readonly int _repeat;
    private int _unresolved;

    public PipelinedWorkSource(int cases, int evaluators, int repeat)
    {
        _cases = cases;
        _evaluators = evaluators;
        _repeat = repeat;
        _unresolved = cases;
        if (cases == 0)
        {
            _ready.Writer.TryComplete();
        }
    }

    /// <summary>Called once per case when its query has finished: queues its evaluations when it succeeded.</summary>
    public void Resolve(int @case, bool succeeded)
    {
        if (succeeded)
        {
            for (var e = 0; e < _evaluators; e++)
            {
                for (var r = 0; r < _repeat; r++)
                {
                    _ready.Writer.TryWrite(new EvalWork(@case, e, r));
                }
            }
        }

        if (Interlocked.Decrement(ref _unresolved) == 0)
        {
            _ready.Writer.TryComplete();
        }
    }

    public async IAsyncEnumerator<EvalWork> GetAsyncEnumerator(CancellationToken cancellationToken = default)
    {
        var next = 0;
        while (true)
        {
            if (_ready.Reader.TryRead(out var work))
            {
                yield return work;
            }
            else if (next < _cases)
            {
                yield return EvalWork.Query(next++);
            }
            else if (!await _ready.Reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
            {
                yield break;
            }
        }
    }
}
