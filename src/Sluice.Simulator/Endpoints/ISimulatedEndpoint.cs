namespace Sluice.Simulator.Endpoints;

/// <summary>An endpoint: turns a request into the reply it would give if nothing went wrong.</summary>
internal interface ISimulatedEndpoint
{
    /// <summary>The name used in <c>/stats</c>.</summary>
    string Name { get; }

    /// <summary>Whether latency, limits and faults apply.</summary>
    bool IsSimulatedWork { get; }

    /// <summary>The reply to <paramref name="request"/>. An invalid request throws <see cref="InvalidRequest"/>, which
    /// the request pipeline turns into the OpenAI-shaped 400.</summary>
    SimulatedReply Answer(in EndpointRequest request);
}
