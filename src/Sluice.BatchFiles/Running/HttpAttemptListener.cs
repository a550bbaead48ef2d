using System.Diagnostics.Metrics;

namespace Sluice.BatchFiles;

/// <summary>
/// Counts the latency of every HTTP attempt to one endpoint into a <see cref="LatencyHistogram"/>, from the .NET
/// runtime's own measurement: the <c>http.client.request.duration</c> histogram of the <c>System.Net.Http</c> meter,
/// which <see cref="SocketsHttpHandler"/> records for each request it sends (each retry is one). Only measurements
/// whose <c>server.address</c> and <c>server.port</c> match the endpoint are counted; another client of the same
/// endpoint in the same process is counted too.
/// </summary>
public sealed class HttpAttemptListener : IDisposable
{
    private const string MeterName = "System.Net.Http";
    private const string InstrumentName = "http.client.request.duration";
    private readonly MeterListener _listener = new();
    private readonly string _host;
    private readonly int _port;
    private readonly LatencyHistogram _histogram;

    /// <summary>Starts counting.</summary>
    /// <param name="endpoint">The endpoint whose attempts to count (its host and port).</param>
    /// <param name="histogram">Where to count them.</param>
    public HttpAttemptListener(Uri endpoint, LatencyHistogram histogram)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        ArgumentNullException.ThrowIfNull(histogram);
        _host = endpoint.IdnHost;
        _port = endpoint.Port;
        _histogram = histogram;
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == MeterName && instrument.Name == InstrumentName)
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<double>(OnMeasurement);
        _listener.Start();
    }

    /// <summary>Stops counting.</summary>
    public void Dispose() => _listener.Dispose();

    private void OnMeasurement(Instrument instrument, double seconds, ReadOnlySpan<KeyValuePair<string, object?>> tags, object? state)
    {
        string? host = null;
        int? port = null;
        foreach (var tag in tags)
        {
            if (tag.Key == "server.address")
            {
                host = tag.Value as string;
            }
            else if (tag.Key == "server.port")
            {
                port = tag.Value is int p ? p : null;
            }
        }

        if (string.Equals(host, _host, StringComparison.OrdinalIgnoreCase) && (port is null || port == _port))
        {
            _histogram.Record(TimeSpan.FromSeconds(seconds));
        }
    }
}
