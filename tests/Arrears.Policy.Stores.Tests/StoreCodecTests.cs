extern alias sqlite;

// The SQLite package's copy of the shared codec, named through its alias: every store package has one.
using Codec = sqlite::Arrears.Policy.Stores.StoreCodec;

namespace Arrears.Policy.Stores.Tests;

/// <summary>The row codec shared by the durable stores (src/Shared/StoreCodec.cs, compiled into each store package), tested through the SQLite package's copy.</summary>
public sealed class StoreCodecTests
{
    private static readonly Instant T0 = Instant.FromUtc(2026, 2, 1, 8, 30) + Duration.FromNanoseconds(123_456_789);

    [Theory]
    [InlineData("2026-02-01T08:30:00.123456789Z")]
    [InlineData("0001-01-01T00:00:00.000000000Z")]
    [InlineData("9999-12-31T23:59:59.999999999Z")]
    [InlineData("1970-01-01T00:00:00.000000000Z")]
    [InlineData("2262-04-11T23:47:16.854775808Z")]
    [InlineData("-0500-03-01T12:00:00.000000001Z")]
    public void FormatInstant_ParseInstant_RoundTripToTheNanosecond(string text)
    {
        var instant = Codec.ParseInstant(text, "acct", "accounts.due_at");

        Assert.Equal(text, Codec.FormatInstant(instant));
    }

    [Fact]
    public void FormatInstant_AnInstant_IsFixedWidthUtcText()
    {
        Assert.Equal("2026-02-01T08:30:00.123456789Z", Codec.FormatInstant(T0));
        Assert.Equal("2026-02-01T08:30:00.000000000Z", Codec.FormatInstant(Instant.FromUtc(2026, 2, 1, 8, 30)));
    }

    [Fact]
    public void FormatInstant_RandomInstantsOverTheYears1To9999_SortAsTextAsInTime()
    {
        var random = new Random(20260201);
        var min = Instant.FromUtc(1, 1, 1, 0, 0).ToUnixTimeTicks();
        var max = Instant.FromUtc(9999, 12, 31, 23, 59).ToUnixTimeTicks();
        var instants = Enumerable.Range(0, 2000)
            .Select(_ => Instant.FromUnixTimeTicks(random.NextInt64(min, max)) + Duration.FromNanoseconds(random.Next(100)))
            .ToList();

        var byText = instants.OrderBy(Codec.FormatInstant, StringComparer.Ordinal).ToList();

        Assert.Equal(instants.Order(), byText);
        Assert.All(instants, i => Assert.Equal(i, Codec.ParseInstant(Codec.FormatInstant(i), null, "c")));
    }

    [Theory]
    [InlineData("2026-02-30T00:00:00.000000000Z")]
    [InlineData("2026-02-01T24:00:00.000000000Z")]
    [InlineData("2026-02-01 08:30:00.000000000Z")]
    [InlineData("2026-02-01T08:30:00Z")]
    [InlineData("2026-02-01T08:30:00.000000000+08:00")]
    [InlineData("yesterday")]
    [InlineData("")]
    public void ParseInstant_NotTheStoresForm_ThrowsNamingAccountColumnAndValue(string text)
    {
        var error = Assert.Throws<StoreDataException>(() => Codec.ParseInstant(text, "acct", "accounts.due_at"));

        Assert.Equal(("acct", "accounts.due_at"), (error.Account, error.Column));
        Assert.EndsWith($"got \"{text}\"", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("10.50")]
    [InlineData("-0.001")]
    [InlineData("0")]
    [InlineData("79228162514264337593543950335")]
    [InlineData("0.0000000000000000000000000001")]
    public void FormatDecimal_ParseDecimal_RoundTripWithTheScale(string text)
    {
        var value = Codec.ParseDecimal(text, "acct", "ledger_entries.amount");

        Assert.Equal(text, Codec.FormatDecimal(value));
    }

    [Theory]
    [InlineData("1e3")]
    [InlineData("1,000")]
    [InlineData(" 1")]
    [InlineData("+-1")]
    [InlineData("twelve")]
    [InlineData("")]
    public void ParseDecimal_NotPlainDecimalText_Throws(string text)
    {
        var error = Assert.Throws<StoreDataException>(() => Codec.ParseDecimal(text, "acct", "ledger_entries.amount"));

        Assert.Contains($"got \"{text}\"", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Suspended", true)]
    [InlineData("suspended", false)]
    [InlineData("2", false)]
    [InlineData("Suspended ", false)]
    public void ParseEnum_OnlyExactNames_AreValues(string text, bool valid)
    {
        if (valid)
        {
            Assert.Equal(LifecycleStatus.Suspended, Codec.ParseEnum<LifecycleStatus>(text, "acct", "account_products.status"));
        }
        else
        {
            var error = Assert.Throws<StoreDataException>(() => Codec.ParseEnum<LifecycleStatus>(text, "acct", "account_products.status"));
            Assert.Contains("must be one of Active, Overdue, Suspended, Purged", error.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void FormatItems_ParseItems_RoundTripEveryField()
    {
        BillingItem[] items =
        [
            new("calls", 10_000m, 0.0600m, BillingCycle.Every(Duration.FromMinutes(15)), Duration.FromSeconds(90.5), "apigw",
                [new PriceTier(1_000_000m, 0.06m), new PriceTier(2_000_000.5m, 0.0525m)]),
            new("traffic \"eu\"", 1m, 0m, BillingCycle.Month),
        ];

        var text = Codec.FormatItems(items);
        var read = Codec.ParseItems(text, "acct", "accounts.items");

        Assert.Equal(items, read);
        Assert.Equal("0.0600", Codec.FormatDecimal(read[0].UnitPrice));
        Assert.Equal(
            """[{"id":"calls","unit":"10000","unitPrice":"0.0600","cycle":"PT15M","settlementDelay":"PT1M30.5S","product":"apigw","tiers":[{"upTo":"1000000","unitPrice":"0.06"},{"upTo":"2000000.5","unitPrice":"0.0525"}]},{"id":"traffic \"eu\"","unit":"1","unitPrice":"0","cycle":"P1M","settlementDelay":"PT0S"}]""",
            text);
    }

    [Theory]
    [InlineData("""[{"id":"calls","unit":"1","unitPrice":"1","cycle":"PT1H","settlementDelay":"PT0S","colour":"blue"}]""", "accounts.items", "[0]: unknown field \"colour\"")]
    [InlineData("""[{"id":"calls","unitPrice":"1","cycle":"PT1H","settlementDelay":"PT0S"}]""", "accounts.items", "[0].unit: missing")]
    [InlineData("""[{"id":"calls","unit":"1","unitPrice":"1","cycle":"P2D","settlementDelay":"PT0S"}]""", "accounts.items[0].cycle", "got \"P2D\"")]
    [InlineData("""[{"id":"calls","unit":1,"unitPrice":"1","cycle":"PT1H","settlementDelay":"PT0S"}]""", "accounts.items", "[0].unit: must be a string, got 1")]
    [InlineData("""[{"id":"calls","unit":"1","unitPrice":"1","cycle":"PT1H","settlementDelay":"PT0S","tiers":[{"upTo":"5","unitPrice":"x"}]}]""", "accounts.items[0].tiers[0].unitPrice", "got \"x\"")]
    public void ParseItems_Corrupted_ThrowsNamingThePath(string text, string column, string expected)
    {
        var error = Assert.Throws<StoreDataException>(() => Codec.ParseItems(text, "acct", "accounts.items"));

        Assert.Equal(("acct", column), (error.Account, error.Column));
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void UsageFingerprint_EqualRecords_AreEqualAndAnyDifferenceIsNot()
    {
        UsageRecord[] batch = [new("calls", T0, 1.5m), new("traffic", T0, 2m)];

        var fingerprint = Codec.UsageFingerprint(batch);

        Assert.Equal(fingerprint, Codec.UsageFingerprint([new("calls", T0, 1.50m), new("traffic", T0, 2.000m)]));
        Assert.NotEqual(fingerprint, Codec.UsageFingerprint([batch[1], batch[0]]));
        Assert.NotEqual(fingerprint, Codec.UsageFingerprint([new("calls", T0, 1.5m), new("traffic", T0 + Duration.FromNanoseconds(1), 2m)]));
        Assert.NotEqual(fingerprint, Codec.UsageFingerprint([new("calls", T0, 15m), new("traffic", T0, 2m)]));
        Assert.NotEqual(fingerprint, Codec.UsageFingerprint([batch[0]]));
        Assert.NotEqual(Codec.UsageFingerprint([new("a|b", T0, 1m)]), Codec.UsageFingerprint([new("a", T0, 1m)]));
        Assert.Equal(Codec.UsageFingerprint([new("calls", T0, 0m)]), Codec.UsageFingerprint([new("calls", T0, 0.00m)]));
    }
}
