using System.Buffers;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using NodaTime;

namespace Arrears.Policy.Notifications;

/// <summary>
/// The signature of a webhook request, <c>Arrears-Signature: t={unix seconds},v1={hex}</c>, where <c>v1</c> is the
/// lower-case hex HMAC-SHA256, keyed with the UTF-8 bytes of the shared secret, of the bytes of <c>"{t}."</c> followed by
/// the exact bytes of the body; and its verification, for receivers.
/// </summary>
/// <remarks>
/// The timestamp lets a receiver refuse a replayed request: <see cref="Verify"/> accepts a signature only within a
/// tolerance of the receiver's clock. The key in the body (and in the <c>Idempotency-Key</c> header) lets it ignore a
/// repeated notification: every attempt of one notification carries the same key, the same body but for its
/// <c>attempt</c> number, and a fresh timestamp. docs/notifications.md shows a receiver.
/// </remarks>
/// <example>
/// <code>
/// // In the receiver, with the raw body bytes, before parsing them:
/// bool genuine = WebhookSignature.Verify(secret, request.Headers[WebhookSignature.HeaderName], body, clock.GetCurrentInstant(), Duration.FromMinutes(5));
/// </code>
/// </example>
public static class WebhookSignature
{
    /// <summary>The name of the header that carries the signature: <c>Arrears-Signature</c>.</summary>
    public const string HeaderName = "Arrears-Signature";

    private const int HexLength = SHA256.HashSizeInBytes * 2;

    /// <summary>Checks the signature of a webhook request.</summary>
    /// <param name="secret">The secret shared with the sender.</param>
    /// <param name="header">The value of the <see cref="HeaderName"/> header, or <see langword="null"/> when the request has none.</param>
    /// <param name="body">The exact bytes of the request's body, as received.</param>
    /// <param name="now">The receiver's current instant, from its clock.</param>
    /// <param name="tolerance">How far the signature's timestamp may be from <paramref name="now"/>, either way; 5 minutes is usual.</param>
    /// <returns>
    /// <see langword="true"/> when the header is well formed, its timestamp lies within the tolerance and one of its
    /// <c>v1</c> signatures matches; <see langword="false"/> otherwise. The comparison takes the same time however many
    /// characters match.
    /// </returns>
    /// <exception cref="ArgumentException"><paramref name="secret"/> is empty.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="tolerance"/> is negative.</exception>
    public static bool Verify(string secret, string? header, ReadOnlySpan<byte> body, Instant now, Duration tolerance)
    {
        ArgumentException.ThrowIfNullOrEmpty(secret);
        ArgumentOutOfRangeException.ThrowIfLessThan(tolerance, Duration.Zero);
        if (string.IsNullOrEmpty(header))
        {
            return false;
        }

        string? timestamp = null;
        var candidates = new List<string>(1);
        foreach (var part in header.Split(','))
        {
            var separator = part.IndexOf('=', StringComparison.Ordinal);
            if (separator < 0)
            {
                continue;
            }

            var name = part.AsSpan(0, separator).Trim();
            var value = part.AsSpan(separator + 1).Trim();
            if (name.SequenceEqual("t"))
            {
                if (timestamp is not null)
                {
                    return false; // two timestamps: which one was signed is ambiguous
                }

                timestamp = value.ToString();
            }
            else if (name.SequenceEqual("v1") && value.Length == HexLength)
            {
                candidates.Add(value.ToString());
            }
        }

        if (timestamp is null || candidates.Count == 0 || !TryReadUnixSeconds(timestamp, out var signedAt))
        {
            return false;
        }

        var skew = now - signedAt;
        if (skew > tolerance || skew < -tolerance)
        {
            return false;
        }

        Span<byte> expected = stackalloc byte[SHA256.HashSizeInBytes];
        Compute(Encoding.UTF8.GetBytes(secret), timestamp, body, expected);
        Span<byte> candidate = stackalloc byte[SHA256.HashSizeInBytes];
        var match = false;
        foreach (var hex in candidates)
        {
            if (Convert.FromHexString(hex, candidate, out _, out var written) == OperationStatus.Done && written == candidate.Length)
            {
                match |= CryptographicOperations.FixedTimeEquals(candidate, expected);
            }
        }

        return match;
    }

    /// <summary>Returns the header value that signs a body at an instant: <c>t={unix seconds},v1={hex}</c>.</summary>
    internal static string Sign(ReadOnlySpan<byte> secret, Instant timestamp, ReadOnlySpan<byte> body)
    {
        var t = timestamp.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        Span<byte> mac = stackalloc byte[SHA256.HashSizeInBytes];
        Compute(secret, t, body, mac);
        return $"t={t},v1={Convert.ToHexStringLower(mac)}";
    }

    private static void Compute(ReadOnlySpan<byte> secret, string timestamp, ReadOnlySpan<byte> body, Span<byte> destination)
    {
        using var hmac = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, secret);
        hmac.AppendData(Encoding.ASCII.GetBytes(timestamp + "."));
        hmac.AppendData(body);
        hmac.GetHashAndReset(destination);
    }

    /// <summary>Reads a timestamp of at most 12 ASCII digits (no sign, no spaces) as an instant.</summary>
    private static bool TryReadUnixSeconds(string text, out Instant instant)
    {
        instant = default;
        if (text.Length is 0 or > 12 || !text.All(char.IsAsciiDigit))
        {
            return false;
        }

        var seconds = long.Parse(text, NumberStyles.None, CultureInfo.InvariantCulture);
        if (seconds > Instant.MaxValue.ToUnixTimeSeconds())
        {
            return false;
        }

        instant = Instant.FromUnixTimeSeconds(seconds);
        return true;
    }
}
