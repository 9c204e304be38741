extern alias sqlite;

using Codec = sqlite::Arrears.Policy.Stores.StoreCodec;

// The SQLite package's copy of the shared cache (src/Shared/AccountSnapshots.cs), named through its alias.
using Snapshots = sqlite::Arrears.Policy.Runtime.AccountSnapshots;

namespace Arrears.Policy.Stores.Tests;

/// <summary>What a durable store instance keeps of the accounts it claimed, by account and version (decision 0015).</summary>
public sealed class AccountSnapshotsTests
{
    private static readonly Instant T0 = Instant.FromUtc(2026, 2, 1, 8, 30) + Duration.FromNanoseconds(123_456_789);

    private static readonly Currency Cny = Currency.FromCode("CNY");

    private static AccountRegistration Registration(string id) =>
        new(new AccountProfile(id, "owner"), "api-gateway", Cny, DateTimeZoneProviders.Tzdb["Asia/Shanghai"], 1.50m);

    private static StoredAccount Claimed(string id, long version, int entries = 3)
    {
        var ledger = Enumerable.Range(0, entries).Select(i => new LedgerEntry($"c{i}", LedgerEntryKind.Charge, T0 + Duration.FromHours(i), 1.25m)).ToArray();
        var snapshot = Snapshots.Build(id, "ledger_entries", Cny, 1.50m, ledger)!;
        return Codec.Stored(id, Registration(id), AccountState.Initial, version, T0, snapshot, [], null, null);
    }

    private static EvaluationCommit Commit(string id, long expected, IReadOnlyList<LedgerEntry>? charges = null) =>
        new(id, expected, new AccountState([ProductLifecycle.Initial(null)], true, T0 + Duration.FromDays(1)), T0 + Duration.FromDays(1), [], charges ?? [], [],
            T0 + Duration.FromDays(2), T0 + Duration.FromDays(3));

    [Fact]
    public void Find_AtTheKeptVersion_ReturnsAClaimsOwnCopyDueWhenItsRowSays()
    {
        var snapshots = new Snapshots();
        var claimed = Claimed("a", 7);
        snapshots.Keep(claimed);

        var first = snapshots.Find("a", 7, T0 + Duration.FromMinutes(5));
        var second = snapshots.Find("a", 7, null);

        Assert.NotNull(first);
        Assert.NotNull(second);
        Assert.Equal((7L, (Instant?)(T0 + Duration.FromMinutes(5))), (first.Version, first.DueAt));
        Assert.Null(second.DueAt);
        Assert.Equal(claimed.Ledger.Entries, first.Ledger.Entries);

        // Each claim's ledger is its own: changing one changes neither the other nor what is kept.
        first.Ledger.Append([new LedgerEntry("p1", LedgerEntryKind.Payment, T0, 100m)]);
        Assert.Equal(3, second.Ledger.Entries.Count);
        Assert.Equal(3, snapshots.Find("a", 7, T0)!.Ledger.Entries.Count);
    }

    [Fact]
    public void Find_AtAnotherVersionOrForAnotherAccount_ReturnsNull()
    {
        var snapshots = new Snapshots();
        snapshots.Keep(Claimed("a", 7));

        Assert.Null(snapshots.Find("a", 8, T0));
        Assert.Null(snapshots.Find("a", 6, T0));
        Assert.Null(snapshots.Find("b", 7, T0));
    }

    [Fact]
    public void Saved_AtTheKeptVersion_KeepsTheCommitsStateAndChargesAtTheNextVersion()
    {
        var snapshots = new Snapshots();
        snapshots.Keep(Claimed("a", 7));
        var charge = new LedgerEntry("rated", LedgerEntryKind.Charge, T0 + Duration.FromDays(1), 0.06m);
        var commit = Commit("a", 7, [charge]);

        snapshots.Saved(commit);

        Assert.Null(snapshots.Find("a", 7, T0));
        var after = snapshots.Find("a", 8, T0 + Duration.FromDays(2));
        Assert.NotNull(after);
        Assert.Equal((commit.State, commit.NextReviewAt), (after.State, after.NextReviewAt));
        Assert.Equal(["c0", "c1", "c2", "rated"], after.Ledger.Entries.Select(e => e.Id));
        Assert.Equal(1.50m - 3.81m, after.Ledger.BalanceAt(T0 + Duration.FromDays(1)));
    }

    [Fact]
    public void Saved_ForAnotherVersion_ForgetsTheAccount()
    {
        var snapshots = new Snapshots();
        snapshots.Keep(Claimed("a", 7));

        // The commit was of a version this instance did not keep (another instance claimed it since): nothing kept is right.
        snapshots.Saved(Commit("a", 9));

        Assert.Null(snapshots.Find("a", 7, T0));
        Assert.Null(snapshots.Find("a", 10, T0));
        Assert.Equal(0, snapshots.Count);
    }

    [Fact]
    public void Keep_PastTheBudget_AdmitsNoNewAccountButReplacesOnesKept()
    {
        var one = Claimed("a", 1, entries: 30);
        var snapshots = new Snapshots(budget: one.Snapshot!.ArrayBytes + 1);
        snapshots.Keep(one);
        snapshots.Keep(Claimed("b", 1, entries: 30));

        Assert.Equal(1, snapshots.Count);
        Assert.Null(snapshots.Find("b", 1, T0));

        snapshots.Keep(Claimed("a", 2, entries: 30));
        Assert.NotNull(snapshots.Find("a", 2, T0));
        Assert.Null(snapshots.Find("a", 1, T0));
    }
}
