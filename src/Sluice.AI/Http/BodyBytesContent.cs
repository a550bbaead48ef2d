using System.Net;
using System.Runtime.InteropServices;

namespace Sluice.AI;

/// <summary>
/// A request body held as bytes the caller already has (a line of an OpenAI Batch API file, say), sent as they are.
/// <see cref="SluiceThroughputHandler"/> reads <see cref="Body"/> directly instead of buffering a copy of the content,
/// and sends the same bytes on every attempt. Any other <see cref="HttpClient"/> sends it like a
/// <see cref="ReadOnlyMemoryContent"/>.
/// </summary>
/// <remarks>The bytes are not copied: the caller must not change them while a request that carries them is in flight.</remarks>
public sealed class BodyBytesContent : HttpContent
{
    /// <summary>Creates the content; set its <c>Content-Type</c> through <see cref="HttpContent.Headers"/>.</summary>
    /// <param name="body">The body's bytes.</param>
    public BodyBytesContent(ReadOnlyMemory<byte> body) => Body = body;

    /// <summary>Gets the body's bytes.</summary>
    public ReadOnlyMemory<byte> Body { get; }

    /// <inheritdoc />
    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) =>
        stream.WriteAsync(Body).AsTask();

    /// <inheritdoc />
    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken) =>
        stream.WriteAsync(Body, cancellationToken).AsTask();

    /// <inheritdoc />
    protected override void SerializeToStream(Stream stream, TransportContext? context, CancellationToken cancellationToken) =>
        stream.Write(Body.Span);

    /// <inheritdoc />
    protected override bool TryComputeLength(out long length)
    {
        length = Body.Length;
        return true;
    }

    /// <inheritdoc />
    protected override Task<Stream> CreateContentReadStreamAsync() => Task.FromResult(CreateContentReadStream(CancellationToken.None));

    /// <inheritdoc />
    protected override Stream CreateContentReadStream(CancellationToken cancellationToken) =>
        MemoryMarshal.TryGetArray(Body, out var segment)
            ? new MemoryStream(segment.Array!, segment.Offset, segment.Count, writable: false)
            : new MemoryStream(Body.ToArray(), writable: false);
}
