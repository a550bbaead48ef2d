namespace Sluice.Simulator;

/// <summary>A fault the simulator injects instead of a normal answer.</summary>
public enum FaultKind
{
    /// <summary>No fault: answer normally.</summary>
    None = 0,
    /// <summary>HTTP 500 with an OpenAI-shaped error body.</summary>
    Error500,
    /// <summary>HTTP 502 with an OpenAI-shaped error body.</summary>
    Error502,
    /// <summary>HTTP 503 with an OpenAI-shaped error body.</summary>
    Error503,
    /// <summary>No answer until the client disconnects or <see cref="SimulatorOptions.MaxHangMs"/> passes (then the connection is dropped).</summary>
    Hang,
    /// <summary>The connection is aborted without an answer.</summary>
    Drop,
    /// <summary>HTTP 200 whose JSON body is cut in half.</summary>
    Malformed,
}
