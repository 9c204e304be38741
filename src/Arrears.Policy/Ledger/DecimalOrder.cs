using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Arrears.Policy;

/// <summary>
/// <see cref="decimal"/> comparison with a fast path for the values money takes: opposite signs, or the same sign with
/// mantissas under 2^64 and scales at most 19 apart (a balance of 120.00 against an alarm of 10). It answers as <see cref="decimal.Compare"/> always; the
/// runtime's own comparison calls out of line whenever the scales differ, which the idle path pays for every account.
/// </summary>
internal static class DecimalOrder
{
    private const int SignMask = unchecked((int)0x8000_0000);

    private static ReadOnlySpan<ulong> PowersOfTen =>
    [
        1UL, 10UL, 100UL, 1_000UL, 10_000UL, 100_000UL, 1_000_000UL, 10_000_000UL, 100_000_000UL, 1_000_000_000UL,
        10_000_000_000UL, 100_000_000_000UL, 1_000_000_000_000UL, 10_000_000_000_000UL, 100_000_000_000_000UL,
        1_000_000_000_000_000UL, 10_000_000_000_000_000UL, 100_000_000_000_000_000UL, 1_000_000_000_000_000_000UL,
        10_000_000_000_000_000_000UL,
    ];

    /// <summary>Returns whether <paramref name="left"/> is less than <paramref name="right"/>.</summary>
    /// <param name="left">The left value.</param>
    /// <param name="right">The right value.</param>
    /// <returns><c>left &lt; right</c>.</returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool LessThan(in decimal left, in decimal right) => Compare(in left, in right) < 0;

    /// <summary>Compares two values as <see cref="decimal.Compare"/> does.</summary>
    /// <param name="left">The left value.</param>
    /// <param name="right">The right value.</param>
    /// <returns>Negative, zero or positive as <paramref name="left"/> is less than, equal to or greater than <paramref name="right"/>.</returns>
    public static int Compare(in decimal left, in decimal right)
    {
        ref readonly var a = ref Unsafe.As<decimal, Bits>(ref Unsafe.AsRef(in left));
        ref readonly var b = ref Unsafe.As<decimal, Bits>(ref Unsafe.AsRef(in right));
        if (((a.Flags ^ b.Flags) & SignMask) != 0)
        {
            // Opposite signs: the negative one is the smaller, unless both are zeros (0 and -0 are equal).
            return (a.Low | b.Low | a.High | b.High) == 0 ? 0 : (a.Flags < 0 ? -1 : 1);
        }

        if ((a.High | b.High) == 0)
        {
            var magnitude = CompareMagnitudes(a.Low, (a.Flags >> 16) & 0xFF, b.Low, (b.Flags >> 16) & 0xFF);
            if (magnitude != int.MinValue)
            {
                // Same sign: the larger magnitude is the larger value when positive, the smaller when negative. A zero of
                // either sign has magnitude zero, so -0 and 0 compare equal as decimal's own comparison has them.
                return a.Flags < 0 ? -magnitude : magnitude;
            }
        }

        return decimal.Compare(left, right);
    }

    /// <summary>Compares <c>x / 10^xScale</c> with <c>y / 10^yScale</c>; <see cref="int.MinValue"/> when the scales are too far apart.</summary>
    private static int CompareMagnitudes(ulong x, int xScale, ulong y, int yScale)
    {
        if (xScale == yScale)
        {
            return x.CompareTo(y);
        }

        if (xScale < yScale)
        {
            var shift = yScale - xScale;
            if (shift >= PowersOfTen.Length)
            {
                return int.MinValue;
            }

            // x scaled up to y's scale; a product of 2^64 or more is larger than any y.
            var high = Math.BigMul(x, PowersOfTen[shift], out var low);
            return high != 0 ? 1 : low.CompareTo(y);
        }
        else
        {
            var shift = xScale - yScale;
            if (shift >= PowersOfTen.Length)
            {
                return int.MinValue;
            }

            var high = Math.BigMul(y, PowersOfTen[shift], out var low);
            return high != 0 ? -1 : x.CompareTo(low);
        }
    }

    /// <summary>
    /// The layout of <see cref="decimal"/>: the flags (sign in bit 31, scale in bits 16 to 23), the high 32 bits of the
    /// 96-bit mantissa, then its low 64 bits. It is the OLE Automation <c>DECIMAL</c> layout, which interop fixes.
    /// </summary>
    [StructLayout(LayoutKind.Sequential)]
    private readonly struct Bits
    {
        public readonly int Flags;
        public readonly uint High;
        public readonly ulong Low;
    }
}
