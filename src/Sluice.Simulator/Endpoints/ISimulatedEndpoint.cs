namespace Sluice.Simulator.Endpoints;

/// <summary>An endpoint: turns a request into the reply it would give if nothing went wrong.</summary>
internal interface ISimulatedEndpoint
{
    /// <summary>The name used in <c>/stats</c>.</summary>
    string Name { get; }

    /// <summary>Whether latency, limits and faults apply.</summary>
    bool IsSimulatedWork { get; }

    SimulatedReply Answer(in EndpointRequest request);
}
