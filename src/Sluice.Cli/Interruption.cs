using System.Runtime.InteropServices;

namespace Sluice.Cli;

/// <summary>Ctrl+C and SIGTERM for the verbs that simply stop (<c>embed</c>, <c>ingest</c>, <c>query</c>): the first
/// cancels <see cref="Token"/> so the verb cleans up and exits 130; a second ends the process at once.</summary>
internal sealed class Interruption : IDisposable
{
    private readonly CancellationTokenSource _cancel;
    private readonly PosixSignalRegistration _interrupt;
    private readonly PosixSignalRegistration _terminate;

    public Interruption(CancellationToken outer)
    {
        _cancel = CancellationTokenSource.CreateLinkedTokenSource(outer);
        _interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
        _terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);
    }

    public CancellationToken Token => _cancel.Token;

    public bool Requested { get; private set; }

    public void Dispose()
    {
        _interrupt.Dispose();
        _terminate.Dispose();
        _cancel.Dispose();
    }

    private void OnSignal(PosixSignalContext context)
    {
        if (Requested)
        {
            return; // the second signal: the default action ends the process
        }

        Requested = true;
        context.Cancel = true;
        Console.Error.WriteLine("sluice: interrupted; stopping (Ctrl+C again to quit at once)");
        _cancel.Cancel();
    }
}
