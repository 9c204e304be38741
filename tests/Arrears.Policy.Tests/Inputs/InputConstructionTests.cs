using NodaTime;

namespace Arrears.Policy.Tests.Inputs;

/// <summary>Input types validate in their constructors, copy what they are given and compare by content.</summary>
public sealed class InputConstructionTests
{
    private static readonly Instant T0 = Instant.FromUtc(2026, 2, 1, 8, 30);
    private static readonly Currency Cny = Currency.FromCode("CNY");

    [Theory]
    [InlineData(new[] { " " }, "account.collaborators[0]: must not be empty, got \" \"")]
    [InlineData(new[] { "dev@example.com", "owner@example.com" }, "account.collaborators[1]: is already the creator or another collaborator, got \"owner@example.com\"")]
    [InlineData(new[] { "dev@example.com", "dev@example.com" }, "account.collaborators[1]: is already the creator or another collaborator, got \"dev@example.com\"")]
    public void AccountProfile_BadCollaborator_ThrowsNamingFieldAndValue(string[] collaborators, string message)
    {
        var error = Assert.Throws<ArgumentException>(() => new AccountProfile("acct", "owner@example.com", collaborators));

        Assert.StartsWith(message, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AccountProfile_OptionalValuesOmitted_HasNoCollaboratorsAndNoAlarm()
    {
        var account = new AccountProfile("acct", "owner@example.com");

        Assert.Empty(account.Collaborators);
        Assert.Null(account.BalanceAlarm);
    }

    [Fact]
    public void AccountProfile_CallerListChangedLater_ProfileKeepsItsOwnCopy()
    {
        var collaborators = new List<string> { "dev@example.com" };
        var account = new AccountProfile("acct", "owner@example.com", collaborators, balanceAlarm: -5m);

        collaborators.Add("ops@example.com");

        Assert.Equal(["dev@example.com"], account.Collaborators);
        Assert.Equal(-5m, account.BalanceAlarm);
    }

    [Fact]
    public void AccountProfile_Equals_SameValuesInDifferentLists_IsEqual()
    {
        var a = new AccountProfile("acct", "owner@example.com", ["dev@example.com"], 5m);
        var b = new AccountProfile("acct", "owner@example.com", new List<string> { "dev@example.com" }, 5m);

        Assert.Equal(a, b);
        Assert.True(a == b);
        Assert.Equal(a.GetHashCode(), b.GetHashCode());
        Assert.NotEqual(a, new AccountProfile("acct", "owner@example.com", ["dev@example.com"], 6m));
    }

    [Fact]
    public void LedgerEntry_OptionalValues_AreKeptAndPartOfTheContent()
    {
        var entry = new LedgerEntry("c1", LedgerEntryKind.Charge, T0, 1.50m, product: "api-gateway", billingItem: "calls", externalReference: "inv-1");

        Assert.Equal(("api-gateway", "calls", "inv-1"), (entry.Product, entry.BillingItem, entry.ExternalReference));
        Assert.Equal(entry, new LedgerEntry("c1", LedgerEntryKind.Charge, T0, 1.50m, "api-gateway", "calls", "inv-1"));
        Assert.True(entry != new LedgerEntry("c1", LedgerEntryKind.Charge, T0, 1.50m, "api-gateway", "calls"));
    }

    [Theory]
    [InlineData("-0.01", "openingBalance: must not be negative, got \"-0.01\"")]
    [InlineData("0.001", "openingBalance: must have at most 2 decimal places for CNY, got \"0.001\"")]
    public void Scenario_BadOpeningBalance_ThrowsNamingFieldAndValue(string opening, string message)
    {
        var error = Assert.Throws<ArgumentException>(() => new Scenario(
            PolicyPresets.TencentApiGateway.Policy,
            new AccountProfile("acct", "owner@example.com"),
            Cny,
            T0,
            openingBalance: decimal.Parse(opening, System.Globalization.CultureInfo.InvariantCulture)));

        Assert.StartsWith(message, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Scenario_DefaultCurrency_ThrowsNamingField()
    {
        var error = Assert.Throws<ArgumentException>(() => new Scenario(PolicyPresets.TencentApiGateway.Policy, new AccountProfile("acct", "owner@example.com"), default, T0));

        Assert.StartsWith("currency: must be an ISO 4217 currency, got the default value", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Scenario_NullEntry_ThrowsNamingThePosition()
    {
        var error = Assert.Throws<ArgumentException>(() => new Scenario(
            PolicyPresets.TencentApiGateway.Policy,
            new AccountProfile("acct", "owner@example.com"),
            Cny,
            T0,
            entries: [new LedgerEntry("c1", LedgerEntryKind.Charge, T0, 1m), null!]));

        Assert.StartsWith("entries[1]: must not be null", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Scenario_CallerListChangedLater_ScenarioKeepsItsOwnCopyAndDefaults()
    {
        var entries = new List<LedgerEntry> { new("c1", LedgerEntryKind.Charge, T0, 1m) };
        var scenario = new Scenario(PolicyPresets.TencentApiGateway.Policy, new AccountProfile("acct", "owner@example.com"), Cny, T0, entries: entries);

        entries.Add(new LedgerEntry("c2", LedgerEntryKind.Charge, T0, 1m));

        Assert.Single(scenario.Entries);
        Assert.Empty(scenario.Items);
        Assert.Empty(scenario.Usage);
        Assert.Equal(0m, scenario.OpeningBalance);
        Assert.Same(DateTimeZone.Utc, scenario.TimeZone);
    }
}
