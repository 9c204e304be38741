using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Arrears.Policy.Simulation;
using NodaTime;
using NodaTime.Text;

namespace Arrears.Policy.Notifications;

/// <summary>
/// Formatting shared by the templates and the notifiers: instants in the account's zone, amounts with their currency,
/// header-safe keys, and failure reasons with no personal data in them.
/// </summary>
internal static partial class NotificationText
{
    private const int MaxReasonLength = 200;

    private static readonly LocalDateTimePattern Minutes = LocalDateTimePattern.CreateWithInvariantCulture("d MMM uuuu HH':'mm");
    private static readonly LocalDateTimePattern WithSeconds = LocalDateTimePattern.CreateWithInvariantCulture("d MMM uuuu HH':'mm':'ss;FFFFFFFFF");

    /// <summary>Formats an instant in a zone, for example <c>2 Feb 2026 16:30 (Asia/Shanghai)</c>; seconds only when there are any.</summary>
    public static string When(Instant instant, DateTimeZone zone)
    {
        var local = instant.InZone(zone).LocalDateTime;
        var pattern = local.Second == 0 && local.NanosecondOfSecond == 0 ? Minutes : WithSeconds;
        return $"{pattern.Format(local)} ({zone.Id})";
    }

    /// <summary>Formats an amount with its currency's decimal places and code, for example <c>-20.00 CNY</c>.</summary>
    public static string Money(decimal amount, Currency currency) => $"{currency.Format(amount)} {currency.Code}";

    /// <summary>Returns an id as it may appear in a message: control characters written as escapes such as <c>\u000a</c>.</summary>
    public static string Id(string text) => ControlCharacters.Escape(text);

    /// <summary>
    /// Returns a value that can travel in an HTTP or mail header: the text itself when it is printable ASCII, otherwise
    /// its RFC 3986 percent-encoding (so that no key can break a header line).
    /// </summary>
    public static string HeaderValue(string text)
    {
        foreach (var c in text)
        {
            if (c is < ' ' or > '~')
            {
                return Uri.EscapeDataString(text);
            }
        }

        return text;
    }

    /// <summary>
    /// Returns the message id of a delivery: the same for every attempt with the same key (so that a repeat is
    /// recognisably the same message), distinct for distinct keys, and free of the key's text.
    /// </summary>
    public static string MessageId(string key, string domain)
    {
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(Encoding.UTF8.GetBytes(key), hash);
        return $"arrears.{Convert.ToHexStringLower(hash[..16])}@{domain}";
    }

    /// <summary>
    /// Makes text from a server (a reply, a reason phrase) fit for a failure reason: email addresses and long digit runs
    /// (phone numbers) are replaced, control characters and runs of white space become one space, and the result is short.
    /// </summary>
    public static string Safe(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return string.Empty;
        }

        var redacted = PhoneNumber().Replace(EmailAddress().Replace(text, "[address]"), "[number]");
        var sb = new StringBuilder(Math.Min(redacted.Length, MaxReasonLength + 1));
        var space = false;
        foreach (var c in redacted)
        {
            if (char.IsWhiteSpace(c) || char.IsControl(c))
            {
                space = sb.Length > 0;
                continue;
            }

            if (space)
            {
                sb.Append(' ');
                space = false;
            }

            sb.Append(c);
            if (sb.Length > MaxReasonLength)
            {
                sb.Length = MaxReasonLength;
                sb.Append('…');
                break;
            }
        }

        return sb.ToString();
    }

    /// <summary>Formats a duration for a failure reason, for example <c>30 s</c> or <c>0.5 s</c>.</summary>
    public static string Seconds(Duration duration) =>
        string.Create(CultureInfo.InvariantCulture, $"{(decimal)duration.TotalMilliseconds / 1000m:0.###} s");

    /// <summary>Returns <c>"{prefix}: {detail}"</c> with the detail made <see cref="Safe"/>, or the prefix alone when the detail has no text.</summary>
    public static string Reason(string prefix, string? detail)
    {
        var safe = Safe(detail);
        return safe.Length == 0 ? prefix : $"{prefix}: {safe}";
    }

    [GeneratedRegex(@"[^\s<>()\[\]@,;:""]+@[^\s<>()\[\]@,;:""]+", RegexOptions.CultureInvariant)]
    private static partial Regex EmailAddress();

    [GeneratedRegex(@"\+?\d(?:[\-. ]?\d){6,}", RegexOptions.CultureInvariant)]
    private static partial Regex PhoneNumber();
}
