using Sluice.Simulator.Content;

namespace Sluice.Simulator.Faults;

/// <summary>
/// Picks a fault for a request. The draw is seeded by the request body's hash, the simulator seed and how many
/// times that body has been seen, so a run is reproducible even when requests arrive in a different order, and a
/// retry of a faulted request gets a fresh draw.
/// </summary>
internal static class FaultPlan
{
    public static FaultKind Choose(SimulatorOptions options, RequestHash body, int seenCount)
    {
        if (options.TotalFaultRate <= 0)
            return FaultKind.None;
        double u = new SeededRandom(body.Seed(options.Seed, 0xFA17UL + (ulong)seenCount)).NextDouble();
        if ((u -= options.Error500Rate) < 0) return FaultKind.Error500;
        if ((u -= options.Error502Rate) < 0) return FaultKind.Error502;
        if ((u -= options.Error503Rate) < 0) return FaultKind.Error503;
        if ((u -= options.HangRate) < 0) return FaultKind.Hang;
        if ((u -= options.DropRate) < 0) return FaultKind.Drop;
        if ((u -= options.MalformedRate) < 0) return FaultKind.Malformed;
        return FaultKind.None;
    }
}
