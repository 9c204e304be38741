using System.Reflection;

namespace Arrears.Policy.Tests.Simulation;

/// <summary>Outputs cannot be forged: only the library creates them, and nothing can change them afterwards.</summary>
public sealed class OutputTypeTests
{
    [Theory]
    [InlineData(typeof(BillDetailLine))]
    [InlineData(typeof(Timeline))]
    [InlineData(typeof(TimelineFinal))]
    [InlineData(typeof(TimelineEvaluation))]
    [InlineData(typeof(Transition))]
    [InlineData(typeof(NotificationIntent))]
    public void OutputType_Reflection_HasNoPublicConstructorNoSetterAndNoClone(Type type)
    {
        Assert.True(type.IsSealed);
        Assert.Empty(type.GetConstructors(BindingFlags.Public | BindingFlags.Instance));
        Assert.All(type.GetProperties(), property => Assert.Null(property.SetMethod));
        Assert.Null(type.GetMethod("<Clone>$"));
    }

    [Fact]
    public void Final_Equals_SameValues_IsEqualAndReadsInWords()
    {
        var scenario = new Scenario(
            PolicyPresets.TencentApiGateway.Policy,
            new AccountProfile("acct", "owner@example.com"),
            Currency.FromCode("CNY"),
            NodaTime.Instant.FromUtc(2026, 3, 1, 0, 0),
            openingBalance: 5m);

        var first = Simulator.Run(scenario).Final;
        var second = Simulator.Run(scenario).Final;

        Assert.Equal(first, second);
        Assert.Equal(first.GetHashCode(), second.GetHashCode());
        Assert.Equal("Active, balance 5, next review none", first.ToString());
    }
}
