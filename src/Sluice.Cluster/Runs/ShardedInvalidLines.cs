using Sluice.BatchFiles;

namespace Sluice.Cluster.Runs;

/// <summary>
/// The invalid lines of a run with <see cref="ShardedRunOptions.SkipInvalid"/>, found once by the coordinator over the
/// whole input (so a duplicate <c>custom_id</c> or a second model in another shard is found too): their line numbers,
/// which every shard leaves out, and an errors file in the run directory with one line, code
/// <see cref="BatchErrorCodes.InvalidInputLine"/>, for each invalid line that has a <c>custom_id</c> of its own (a line
/// without one, or repeating an earlier line's, is only described: writing it would list an id twice), as
/// <c>sluice run --skip-invalid</c> writes them. The final errors file starts with it.
/// </summary>
internal static class ShardedInvalidLines
{
    public static async Task<(HashSet<long> Lines, long Written)> WriteAsync(string inputPath, string errorsPath, CancellationToken cancellationToken = default)
    {
        var lines = new HashSet<long>();
        await using var errors = BatchOutputFile.Create(errorsPath);
        await foreach (var line in new BatchInputReader(inputPath).ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            if (line.IsValid)
            {
                continue;
            }

            lines.Add(line.LineNumber);
            if (line.CustomId is null || line.Errors.Any(e => e.Code == BatchInputErrorCodes.DuplicateCustomId))
            {
                continue;
            }

            string message = string.Join("; ", line.Errors.Select(e => e.Param is null ? e.Message : $"{e.Param}: {e.Message}"));
            await errors.WriteAsync(BatchResult.FromError(line.CustomId, new BatchResultError(BatchErrorCodes.InvalidInputLine, $"line {line.LineNumber}: {message}")), cancellationToken).ConfigureAwait(false);
        }

        await errors.CommitAsync(cancellationToken).ConfigureAwait(false);
        return (lines, errors.LineCount);
    }
}
