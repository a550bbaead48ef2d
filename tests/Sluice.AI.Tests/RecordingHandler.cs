using System.Diagnostics;

namespace Sluice.AI.Tests;

/// <summary>An HTTP handler that records when each request left and each response arrived, on one monotonic clock.</summary>
internal sealed class RecordingHandler() : DelegatingHandler(new SocketsHttpHandler())
{
    private readonly List<(double SentMs, double ReceivedMs, int Status)> _exchanges = [];
    private readonly Stopwatch _clock = Stopwatch.StartNew();

    public double NowMs => _clock.Elapsed.TotalMilliseconds;

    public IReadOnlyList<(double SentMs, double ReceivedMs, int Status)> Exchanges
    {
        get { lock (_exchanges) { return _exchanges.ToArray(); } }
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        double sent = NowMs;
        int status = 0;
        try
        {
            var response = await base.SendAsync(request, cancellationToken);
            status = (int)response.StatusCode;
            return response;
        }
        finally
        {
            double received = NowMs;
            lock (_exchanges)
            {
                _exchanges.Add((sent, received, status));
            }
        }
    }
}
