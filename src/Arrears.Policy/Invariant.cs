using System.Globalization;
using System.Text;
using Arrears.Policy.Text;
using NodaTime;
using NodaTime.Text;

namespace Arrears.Policy;

/// <summary>Culture-invariant formatting of values quoted in error messages and ids.</summary>
internal static class Invariant
{
    /// <summary>The longest text <see cref="Quote"/> writes before shortening it with an ellipsis.</summary>
    public const int MaxQuotedLength = 64;

    public static string Format(decimal value) => value.ToString(CultureInfo.InvariantCulture);

    public static string Format(Instant value) => InstantPattern.ExtendedIso.Format(value);

    /// <summary>Formats a duration the way the scenario format writes it (<see cref="IsoDurationPattern"/>): <c>PT1H</c>, <c>-PT30M</c>, <c>P1DT2H</c>.</summary>
    public static string Format(Duration value) => IsoDurationPattern.Instance.Format(value);

    /// <summary>
    /// Quotes a text for an error message as a one-line JSON string: quotation marks, backslashes, control characters,
    /// lone surrogates and line separators escaped, shortened to <see cref="MaxQuotedLength"/> characters with an ellipsis.
    /// </summary>
    public static string Quote(string value)
    {
        var shortened = value.Length > MaxQuotedLength ? value[..MaxQuotedLength] + "…" : value;
        var sb = new StringBuilder(shortened.Length + 2).Append('"');
        foreach (var c in shortened)
        {
            switch (c)
            {
                case '"':
                    sb.Append("\\\"");
                    break;
                case '\\':
                    sb.Append("\\\\");
                    break;
                case '\n':
                    sb.Append("\\n");
                    break;
                case '\r':
                    sb.Append("\\r");
                    break;
                case '\t':
                    sb.Append("\\t");
                    break;
                default:
                    if (char.IsControl(c) || char.IsSurrogate(c) || c is '\u2028' or '\u2029')
                    {
                        sb.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                    }
                    else
                    {
                        sb.Append(c);
                    }

                    break;
            }
        }

        return sb.Append('"').ToString();
    }
}
