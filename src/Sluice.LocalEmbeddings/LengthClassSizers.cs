using System.Numerics;

namespace Sluice.LocalEmbeddings;

/// <summary>
/// The local generator's adaptive group sizes, one <see cref="AdaptiveGroupSize"/> per length class of the texts (up to
/// 16 word pieces, 17–32, 33–64, 65–128, 129–256, 257–512): the cost per token position depends on the length
/// (attention grows with its square, the activations with texts × length), so a size learned on short texts says
/// little about long ones, and length-sorted input meets the classes one after the other.
/// </summary>
/// <remarks>
/// A class's sizer is created when its first group is taken. It starts from the size the nearest shorter class holds,
/// halved for each doubling of the length (the same token positions per group), and never proposes more texts than
/// <see cref="LocalEmbeddingOptions.MaxGroupTokens"/> lets through at the class's shortest length, so no trial is
/// spent on sizes the token limit would cut. Thread-safe.
/// </remarks>
internal sealed class LengthClassSizers
{
    /// <summary>The number of length classes.</summary>
    public const int Classes = 6;

    private readonly LocalEmbeddingOptions _options;
    private readonly AdaptiveGroupSize?[] _sizers = new AdaptiveGroupSize?[Classes];
    private readonly Lock _gate = new();
    private AdaptiveGroupSize? _last;

    public LengthClassSizers(LocalEmbeddingOptions options) => _options = options;

    /// <summary>Gets the group size the last group was taken with (its class's sizer), or the initial size before the
    /// first group.</summary>
    public int Current => Volatile.Read(ref _last)?.Current ?? Math.Min(_options.InitialGroupSize, _options.MaxGroupSize);

    /// <summary>The class of a group whose shortest text has <paramref name="tokens"/> word pieces.</summary>
    public static int ClassOf(int tokens) => Math.Clamp(BitOperations.Log2((uint)Math.Max(1, tokens - 1)) - 3, 0, Classes - 1);

    /// <summary>The longest text of class <paramref name="lengthClass"/>, in word pieces.</summary>
    public static int LongestOf(int lengthClass) => 16 << lengthClass;

    /// <summary>The sizer for a group whose shortest text has <paramref name="tokens"/> word pieces.</summary>
    public AdaptiveGroupSize For(int tokens)
    {
        int lengthClass = ClassOf(tokens);
        var sizer = Volatile.Read(ref _sizers[lengthClass]);
        if (sizer is null)
        {
            lock (_gate)
            {
                sizer = _sizers[lengthClass] ??= Create(lengthClass);
            }
        }

        Volatile.Write(ref _last, sizer);
        return sizer;
    }

    /// <summary>The sizer of <paramref name="lengthClass"/>, or <see langword="null"/> before its first group.</summary>
    public AdaptiveGroupSize? Of(int lengthClass) => Volatile.Read(ref _sizers[lengthClass]);

    private AdaptiveGroupSize Create(int lengthClass)
    {
        int shortest = lengthClass == 0 ? 2 : (LongestOf(lengthClass) / 2) + 1;
        int max = Math.Clamp(_options.MaxGroupTokens / shortest, _options.MinGroupSize, _options.MaxGroupSize);
        double initial = _options.InitialGroupSize;
        for (int shorter = lengthClass - 1; shorter >= 0; shorter--)
        {
            if (_sizers[shorter] is { } known)
            {
                initial = known.SizeInForce / (double)(1 << (lengthClass - shorter));
                break;
            }
        }

        var options = _options.SizerOptions() with
        {
            InitialSize = Math.Clamp((int)Math.Round(initial), _options.MinGroupSize, max),
            MaxSize = max,
            Name = $"local-embeddings/{LongestOf(lengthClass)}",
        };
        return new AdaptiveGroupSize(options);
    }
}
