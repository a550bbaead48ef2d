namespace Sluice.Testing;

/// <summary>
/// A deterministic sample of English-like texts of mixed lengths (short questions, sentences, paragraphs and a few
/// texts longer than MiniLM's 256 word pieces), used by the local-embedding tests and benchmarks. Same seed, same texts.
/// </summary>
internal static class SampleTexts
{
    private static readonly string[] Words =
    [
        "the", "a", "batch", "model", "vector", "index", "search", "query", "document", "river", "sluice", "gate",
        "water", "flows", "through", "narrow", "channel", "engineer", "builds", "embedding", "retrieval", "answer",
        "question", "provider", "limit", "token", "rate", "minute", "second", "memory", "matrix", "cosine", "nearest",
        "neighbour", "corpus", "chunk", "ingestion", "pipeline", "evaluation", "judge", "faithful", "correct", "resume",
        "journal", "failure", "retry", "backoff", "jitter", "throughput", "latency", "concurrency", "adaptive", "group",
        "sorted", "length", "padding", "attention", "mask", "pooling", "normalised", "quantised", "recall", "precision",
        "filter", "metadata", "durable", "transaction", "crash", "reopen", "file", "disk", "process", "thread", "core",
        "is", "was", "and", "or", "but", "with", "without", "for", "from", "into", "over", "under", "between", "after",
        "before", "while", "when", "where", "why", "how", "what", "which", "who", "many", "few", "every", "each", "some",
        "fast", "slow", "large", "small", "quiet", "busy", "green", "blue", "red", "old", "new", "first", "last",
        "library", "city", "mountain", "village", "harbour", "train", "station", "market", "kitchen", "garden", "school",
        "teacher", "student", "doctor", "farmer", "writer", "painter", "musician", "scientist", "children", "weather",
        "winter", "summer", "autumn", "spring", "morning", "evening", "night", "history", "science", "language", "music",
        "unbelievably", "internationalisation", "photosynthesis", "electroencephalography", "misunderstanding",
        "characteristically", "counterrevolutionary", "thermodynamics", "ISO-8601", "2024-05-17", "3.14159", "42%",
        "e-mail", "C#", ".NET", "ONNX", "GPU", "SQLite", "café", "naïve", "Zürich", "São", "Paulo",
    ];

    private static readonly string[] Endings = [".", ".", ".", "?", "!", ";", "..."];

    /// <summary>Makes <paramref name="count"/> texts: about 60 % of 3–25 words, 30 % of 25–120 words, 10 % of 120–400
    /// words (the last often past 256 word pieces).</summary>
    public static string[] Mixed(int count, int seed = 11)
    {
        var random = new Random(seed);
        var texts = new string[count];
        for (int i = 0; i < count; i++)
        {
            double kind = random.NextDouble();
            int words = kind < 0.6 ? random.Next(3, 25) : kind < 0.9 ? random.Next(25, 120) : random.Next(120, 400);
            texts[i] = Text(random, words);
        }

        return texts;
    }

    /// <summary>Makes <paramref name="count"/> texts of 1–<paramref name="maxWords"/> words (short enough not to be
    /// truncated), without accented letters when <paramref name="asciiOnly"/> (the words a reference tokenizer without
    /// accent stripping reads the same way).</summary>
    public static string[] UpTo(int count, int maxWords, int seed = 7, bool asciiOnly = false)
    {
        var random = new Random(seed);
        var texts = new string[count];
        for (int i = 0; i < count; i++)
        {
            texts[i] = Text(random, random.Next(1, maxWords + 1), asciiOnly);
        }

        return texts;
    }

    private static string Text(Random random, int words, bool asciiOnly = false)
    {
        var builder = new System.Text.StringBuilder(words * 8);
        bool capital = true;
        for (int w = 0; w < words; w++)
        {
            string word = Words[random.Next(Words.Length)];
            while (asciiOnly && !System.Text.Ascii.IsValid(word))
            {
                word = Words[random.Next(Words.Length)];
            }

            if (w > 0)
            {
                builder.Append(' ');
            }

            builder.Append(capital ? char.ToUpperInvariant(word[0]) + word[1..] : word);
            capital = false;
            if (random.Next(12) == 0 || w == words - 1)
            {
                builder.Append(Endings[random.Next(Endings.Length)]);
                capital = true;
            }
            else if (random.Next(15) == 0)
            {
                builder.Append(',');
            }
        }

        return builder.ToString();
    }
}
