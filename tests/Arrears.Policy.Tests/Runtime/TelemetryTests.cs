using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Arrears.Policy.Runtime;
using NodaTime;
using static Arrears.Policy.Tests.Runtime.RuntimeHarness;

namespace Arrears.Policy.Tests.Runtime;

/// <summary>The runtime's metrics carry what the documentation of <see cref="ArrearsTelemetry"/> says.</summary>
public sealed class TelemetryTests
{
    private static readonly Duration Grace = PolicyPresets.TencentApiGateway.Policy.Grace;

    [Fact]
    public void StatusTag_EveryStatus_IsItsName()
    {
        Assert.All(Enum.GetValues<LifecycleStatus>(), status => Assert.Equal(status.ToString(), BulkEvaluator.StatusTag(status)));
        Assert.Equal("7", BulkEvaluator.StatusTag((LifecycleStatus)7));
    }

    [Fact]
    public async Task Transitions_AreCountedWithTheStatusTheyLeadTo()
    {
        // Other tests run in parallel and count too: only the tag values are checked, and that this run's two are among them.
        var counted = new ConcurrentDictionary<string, long>(StringComparer.Ordinal);
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == ArrearsTelemetry.Name && instrument.Name == "arrears.transitions")
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
        {
            foreach (var tag in tags)
            {
                if (tag.Key == "to")
                {
                    counted.AddOrUpdate(Assert.IsType<string>(tag.Value), value, (_, n) => n + value);
                }
            }
        });
        listener.Start();

        var h = new RuntimeHarness();
        await h.Runtime.RegisterAsync(Account(), default);
        h.Clock.Reset(T0);
        await h.Runtime.AppendAsync("acct", [Charge("c1", T0, 25m)], default);
        await h.RunUntilAsync(T0 + Grace + Duration.FromHours(1));

        Assert.True(counted.GetValueOrDefault("Overdue") >= 1, $"counted: {string.Join(", ", counted)}");
        Assert.True(counted.GetValueOrDefault("Suspended") >= 1, $"counted: {string.Join(", ", counted)}");
        Assert.All(counted.Keys, to => Assert.True(Enum.TryParse<LifecycleStatus>(to, out var status) && status.ToString() == to, $"tag \"{to}\""));
    }
}
