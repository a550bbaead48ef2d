namespace Sluice.Simulator.Endpoints;

/// <summary>Thrown while reading a request to answer 400 with an OpenAI-shaped error.</summary>
internal sealed class InvalidRequest(string message, string? param, string? code = null) : Exception(message)
{
    public string? Param { get; } = param;
    public string? Code { get; } = code;

    public SimulatedReply ToReply() => SimulatedReply.Error(400, Message, "invalid_request_error", Param, Code);
}
