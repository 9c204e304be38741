using System.Runtime.InteropServices;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace Arrears.Policy.Tests.Monies;

/// <summary>The idle path's decimal comparison answers as <see cref="decimal.Compare"/> on every pair.</summary>
public sealed class DecimalOrderTests
{
    private static readonly decimal[] Edges =
    [
        0m, -0m, 0.00m, -0.00m, 1m, -1m, 1.0m, 10m, 10.00m, 9.99m, 10.01m, -10m, -10.00m, 0.1m, 0.0000000000000000001m,
        0.00000000000000000001m, 1e-28m, -1e-28m, 120.00m, 18446744073709551615m, 18446744073709551616m, 1844674407370955161.5m,
        1844674407370955161.6m, decimal.MaxValue, decimal.MinValue, 79228162514264337593543950334m, 7.9228162514264337593543950335m,
        new decimal(0, 0, 0, true, 5), new decimal(0, 0, 0, false, 28), new decimal(-1, -1, 0, false, 0), new decimal(-1, -1, 0, false, 19),
        new decimal(-1, -1, 0, false, 20), new decimal(1, 0, 0, false, 19), new decimal(1, 0, 0, false, 20),
    ];

    /// <summary>Any decimal: a 96-bit mantissa (often small, as money is), either sign, any scale from 0 to 28.</summary>
    private static Gen<decimal> Decimals =>
        from lo in Gen.Choose(int.MinValue, int.MaxValue)
        from mid in Gen.Frequency((2, Gen.Constant(0)), (1, Gen.Choose(int.MinValue, int.MaxValue)))
        from hi in Gen.Frequency((3, Gen.Constant(0)), (1, Gen.Choose(int.MinValue, int.MaxValue)))
        from negative in Gen.Elements(false, true)
        from scale in Gen.Frequency((3, Gen.Choose(0, 4)), (1, Gen.Choose(0, 28)))
        select new decimal(lo, mid, hi, negative, (byte)scale);

    [Fact]
    public void Compare_EveryPairOfEdges_AnswersAsDecimalCompare()
    {
        foreach (var left in Edges)
        {
            foreach (var right in Edges)
            {
                Assert.True(
                    Math.Sign(decimal.Compare(left, right)) == Math.Sign(DecimalOrder.Compare(left, right)),
                    $"{left} against {right}: decimal.Compare {decimal.Compare(left, right)}, DecimalOrder {DecimalOrder.Compare(left, right)}");
                Assert.Equal(left < right, DecimalOrder.LessThan(left, right));
            }
        }
    }

    [Property(MaxTest = 5000)]
    public Property Compare_AnyPair_AnswersAsDecimalCompare() =>
        Prop.ForAll(
            Decimals.ToArbitrary(),
            Decimals.ToArbitrary(),
            (left, right) => Math.Sign(decimal.Compare(left, right)) == Math.Sign(DecimalOrder.Compare(left, right))
                && (left < right) == DecimalOrder.LessThan(left, right));

    [Property(MaxTest = 2000)]
    public Property Compare_TheSameAmountAtAnotherScale_IsEqual() =>
        Prop.ForAll(
            Gen.Choose(-1_000_000, 1_000_000).ToArbitrary(),
            Gen.Choose(0, 20).ToArbitrary(),
            (cents, extra) =>
            {
                var amount = cents / 100m;
                var rescaled = amount * new decimal(1, 0, 0, false, 0) + new decimal(0, 0, 0, false, (byte)extra);
                return DecimalOrder.Compare(amount, rescaled) == 0 && DecimalOrder.Compare(rescaled, amount) == 0;
            });

    [Fact]
    public void Layout_IsFlagsThenHighThenLow()
    {
        // DecimalOrder reads a decimal as (flags, high 32 bits, low 64 bits); decimal.GetBits gives (low, mid, high, flags).
        var value = new decimal(0x11111111, 0x22222222, 0x33333333, true, 7);
        var bits = decimal.GetBits(value);
        var raw = MemoryMarshal.Cast<decimal, int>([value]).ToArray();
        Assert.Equal([bits[3], bits[2], bits[0], bits[1]], raw);
    }
}
