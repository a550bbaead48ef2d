using System.Runtime.InteropServices;

namespace Sluice.Cli;

/// <summary>
/// Ctrl+C and SIGTERM: the first asks the run to stop admitting work and drain (<see cref="Stop"/>); a second Ctrl+C
/// exits at once with 130 — every finished item is already flushed to the journal.
/// </summary>
internal sealed class StopSignals : IDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly PosixSignalRegistration _interrupt;
    private readonly PosixSignalRegistration _terminate;
    private readonly Action<string> _say;
    private readonly string _stopping;
    private int _count;

    public StopSignals(Action<string> say, string stopping = "stopping: no new requests; waiting for those in flight (Ctrl+C again to quit at once)")
    {
        _say = say;
        _stopping = stopping;
        _interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
        _terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);
    }

    public CancellationToken Stop => _stop.Token;

    public void Dispose()
    {
        _interrupt.Dispose();
        _terminate.Dispose();
        _stop.Dispose();
    }

    private void OnSignal(PosixSignalContext context)
    {
        context.Cancel = true; // the run decides when to exit
        if (Interlocked.Increment(ref _count) == 1)
        {
            _say(_stopping);
            _stop.Cancel();
            return;
        }

        if (context.Signal == PosixSignal.SIGINT)
        {
            _say("quitting at once; finished items are in the journal");
            Environment.Exit(ExitCodes.Interrupted);
        }
    }
}
