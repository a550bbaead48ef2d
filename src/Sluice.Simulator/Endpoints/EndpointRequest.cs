using Microsoft.AspNetCore.Http;
using Sluice.Simulator.Content;

namespace Sluice.Simulator.Endpoints;

/// <summary>One request as an endpoint sees it.</summary>
internal readonly record struct EndpointRequest(
    ReadOnlyMemory<byte> Body,
    RequestHash Hash,
    HttpRequest Http,
    SimulatorState State,
    SimulatorOptions Options);
