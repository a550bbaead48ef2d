using System.Linq.Expressions;

namespace Sluice.Rag;

/// <summary>
/// Translates a VectorData filter expression into a <see cref="MetadataFilter"/>. Supported: equality on a metadata
/// field, <c>r =&gt; r.Metadata["lang"] == "en"</c> (either side may be a constant or a captured variable), joined with
/// <c>&amp;&amp;</c>. Anything else is a <see cref="NotSupportedException"/> that names the part it could not translate.
/// </summary>
internal static class FilterTranslator
{
    public static MetadataFilter? Translate(Expression<Func<IndexRecord, bool>>? filter)
    {
        if (filter is null)
        {
            return null;
        }

        var conditions = new List<KeyValuePair<string, string>>();
        Collect(filter.Body, filter.Parameters[0], conditions);
        if (conditions.Count == 0)
        {
            return null;
        }

        var result = MetadataFilter.Where(conditions[0].Key, conditions[0].Value);
        foreach (var (field, value) in conditions.Skip(1))
        {
            result.And(field, value);
        }

        return result;
    }

    private static void Collect(Expression expression, ParameterExpression record, List<KeyValuePair<string, string>> conditions)
    {
        switch (expression)
        {
            case BinaryExpression { NodeType: ExpressionType.AndAlso } and:
                Collect(and.Left, record, conditions);
                Collect(and.Right, record, conditions);
                return;
            case BinaryExpression { NodeType: ExpressionType.Equal } equal:
                if (Field(equal.Left, record) is { } leftField)
                {
                    conditions.Add(new(leftField, Value(equal.Right)));
                    return;
                }

                if (Field(equal.Right, record) is { } rightField)
                {
                    conditions.Add(new(rightField, Value(equal.Left)));
                    return;
                }

                break;
        }

        throw new NotSupportedException(
            $"The filter part '{expression}' is not supported: Sluice's index filters by equality on metadata fields " +
            "(r => r.Metadata[\"field\"] == \"value\"), joined with &&.");
    }

    private static string? Field(Expression expression, ParameterExpression record)
    {
        if (expression is MethodCallExpression { Method.Name: "get_Item", Object: MemberExpression { Member.Name: nameof(IndexRecord.Metadata) } member } call
            && member.Expression == record && call.Arguments.Count == 1)
        {
            return Value(call.Arguments[0]);
        }

        return null;
    }

    private static string Value(Expression expression) =>
        Expression.Lambda(expression).Compile().DynamicInvoke() as string
        ?? throw new NotSupportedException($"The filter value '{expression}' is not a string.");
}
