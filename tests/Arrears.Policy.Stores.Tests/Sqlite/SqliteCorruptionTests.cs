using static Arrears.Policy.Stores.Tests.Sqlite.SqliteTestData;

namespace Arrears.Policy.Stores.Tests.Sqlite;

/// <summary>A row edited by hand into something the store never writes: the error names the account, the column and the value, and other accounts are unaffected.</summary>
public sealed class SqliteCorruptionTests : IDisposable
{
    private readonly TemporaryDatabase _database = new();

    public void Dispose() => _database.Dispose();

    [Fact]
    public async Task FindAccount_AProductStatusBogus_ThrowsNamingAccountColumnAndValue()
    {
        var store = await SeedAsync();
        _database.Sql("UPDATE account_products SET status = 'Bogus' WHERE account = 'acct'");

        var error = await Assert.ThrowsAsync<StoreDataException>(async () => await store.FindAccountAsync("acct", Ct));

        Assert.Equal(("acct", "account_products.status"), (error.Account, error.Column));
        Assert.Equal("account \"acct\": column account_products.status: must be one of Active, Overdue, Suspended, Purged, got \"Bogus\"", error.Message);
        Assert.NotNull(await store.FindAccountAsync("other", Ct));
    }

    [Fact]
    public async Task ClaimDue_AnUnparsableAmount_ThrowsNamingAccountAndColumnAndTheNextClaimTakesTheOthers()
    {
        var store = await SeedAsync();

        // The store evaluated the account, so it keeps it at its version (decision 0015): a change bumps the version, as every
        // write of a store does, and the claim reads the rows again.
        _database.Sql("UPDATE ledger_entries SET amount = 'twelve' WHERE account = 'acct'; UPDATE account_runs SET version = version + 1 WHERE id = 'acct'");
        var now = T0 + Duration.FromDays(2);

        var error = await Assert.ThrowsAsync<StoreDataException>(async () => await store.ClaimDueAsync(now, 10, Lease, Ct));
        var next = await store.ClaimDueAsync(now, 10, Lease, Ct);

        Assert.Equal(("acct", "ledger_entries.amount"), (error.Account, error.Column));
        Assert.Contains("got \"twelve\"", error.Message, StringComparison.Ordinal);
        Assert.Equal(["other"], next.Select(a => a.Registration.Id));
        Assert.Empty(await store.ClaimDueAsync(now, 10, Lease, Ct));
        await Assert.ThrowsAsync<StoreDataException>(async () => await store.ClaimDueAsync(now + Lease, 10, Lease, Ct));
    }

    [Fact]
    public async Task NextDue_ACorruptedNextAttempt_ThrowsNamingAccountAndColumn()
    {
        var store = await SeedAsync();
        _database.Sql("UPDATE outbox SET next_attempt_at = '0000-soon' WHERE account = 'acct'");

        var error = await Assert.ThrowsAsync<StoreDataException>(async () => await store.NextDueAsync(Ct));

        Assert.Equal(("acct", "outbox.next_attempt_at"), (error.Account, error.Column));
        Assert.Contains("got \"0000-soon\"", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("due_at")]
    [InlineData("claimed_until")]
    [InlineData("last_evaluated_at")]
    [InlineData("next_review_at")]
    public async Task AccountRuns_TextInAnInstantColumn_IsRefusedBySqliteAndTheRowKept(string column)
    {
        // Since schema version 4 these columns are STRICT INTEGER nanoseconds: every value they can hold is an instant.
        var store = await SeedAsync();
        var before = await store.FindAccountAsync("acct", Ct);

        var error = Assert.Throws<Microsoft.Data.Sqlite.SqliteException>(() => _database.Sql($"UPDATE account_runs SET {column} = '0000-soon' WHERE id = 'acct'"));

        Assert.Contains($"cannot store TEXT value in INTEGER column account_runs.{column}", error.Message, StringComparison.Ordinal);
        var after = await store.FindAccountAsync("acct", Ct);
        Assert.Equal((before!.Version, before.DueAt, before.NextReviewAt, before.State.LastEvaluatedAt), (after!.Version, after.DueAt, after.NextReviewAt, after.State.LastEvaluatedAt));
    }

    [Fact]
    public async Task FindAccount_AnAmountWithMoreDecimalsThanTheCurrency_ThrowsNamingAccountAndColumn()
    {
        var store = await SeedAsync();
        _database.Sql("UPDATE ledger_entries SET amount = '1.005' WHERE account = 'acct'");

        var error = await Assert.ThrowsAsync<StoreDataException>(async () => await store.FindAccountAsync("acct", Ct));

        Assert.Equal(("acct", "ledger_entries.amount"), (error.Account, error.Column));
        Assert.Contains("1.005", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("accounts", "currency", "'XYZ'", "got \"XYZ\"")]
    [InlineData("accounts", "time_zone", "'Mars/Olympus'", "got \"Mars/Olympus\"")]
    [InlineData("accounts", "opening_balance", "'1e3'", "got \"1e3\"")]
    [InlineData("accounts", "items", "'[{\"id\":\"calls\"'", "JSON array of billing items")]
    [InlineData("accounts", "collaborators", "'{}'", "JSON array of strings")]
    [InlineData("account_runs", "alarm_armed", "2", "must be 0 or 1, got 2")]
    [InlineData("account_products", "suspend_at", "'2026-02-30T00:00:00.000000000Z'", "got \"2026-02-30T00:00:00.000000000Z\"")]
    [InlineData("account_products", "episode", "0", "episode > 0")]
    public async Task FindAccount_ACorruptedColumn_ThrowsNamingAccountAndColumn(string table, string column, string value, string expected)
    {
        var store = await SeedAsync();
        var key = table is "accounts" or "account_runs" ? "id" : "account";
        _database.Sql($"UPDATE {table} SET {column} = {value} WHERE {key} = 'acct'");

        var error = await Assert.ThrowsAsync<StoreDataException>(async () => await store.FindAccountAsync("acct", Ct));

        Assert.Equal("acct", error.Account);
        Assert.StartsWith(table + ".", error.Column, StringComparison.Ordinal);
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        Assert.StartsWith($"account \"acct\": column {error.Column}: ", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task FindAccount_AnItemWithANegativeUnit_NamesTheItemsPath()
    {
        var store = await SeedAsync();
        _database.Sql("""UPDATE accounts SET items = '[{"id":"calls","unit":"-1","unitPrice":"0.06","cycle":"PT1H","settlementDelay":"PT0S"}]' WHERE id = 'acct'""");

        var error = await Assert.ThrowsAsync<StoreDataException>(async () => await store.FindAccountAsync("acct", Ct));

        Assert.Equal(("acct", "accounts.items[0]"), (error.Account, error.Column));
        Assert.Contains("unit: must be positive, got \"-1\"", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task History_AReasonBogus_ThrowsNamingAccountAndColumn()
    {
        var store = await SeedAsync();
        _database.Sql("UPDATE transitions SET reason = 'Whim' WHERE account = 'acct'");

        var error = await Assert.ThrowsAsync<StoreDataException>(async () => await store.HistoryAsync("acct", Ct));

        Assert.Equal(("acct", "transitions.reason"), (error.Account, error.Column));
        Assert.Contains("got \"Whim\"", error.Message, StringComparison.Ordinal);
        Assert.Single(await store.HistoryAsync("other", Ct));
    }

    [Fact]
    public async Task QueryOutbox_AStatusAsANumber_ThrowsNamingAccountAndColumn()
    {
        var store = await SeedAsync();
        _database.Sql("UPDATE outbox SET status = '1' WHERE account = 'acct'");

        var error = await Assert.ThrowsAsync<StoreDataException>(async () => await store.QueryOutboxAsync(new OutboxQuery(), Ct));

        Assert.Equal(("acct", "outbox.status"), (error.Account, error.Column));
        Assert.Contains("got \"1\"", error.Message, StringComparison.Ordinal);
        Assert.Single(await store.QueryOutboxAsync(new OutboxQuery(account: "other"), Ct));
    }

    [Fact]
    public async Task FindContact_AnEmptyEmail_ThrowsNamingTheColumnAndTheRecipient()
    {
        var store = await _database.OpenAsync();
        await store.ImportAsync([new AccountImport(Account(), null, null, null, new Dictionary<string, RecipientContact> { ["owner"] = new("owner@example.com", null) }, T0)], Ct);
        _database.Sql("UPDATE contacts SET email = ' ' WHERE recipient = 'owner'");

        var error = await Assert.ThrowsAsync<StoreDataException>(async () => await store.FindAsync("owner", Ct));

        Assert.Equal(((string?)null, "contacts.email"), (error.Account, error.Column));
        Assert.Contains("recipient \"owner\"", error.Message, StringComparison.Ordinal);
    }

    /// <summary>Two accounts, each with an entry and one evaluation (a product row, a transition, an outbox message).</summary>
    private async Task<IArrearsStore> SeedAsync()
    {
        var store = await _database.OpenAsync();
        foreach (var id in new[] { "acct", "other" })
        {
            await store.AddAccountAsync(Account(id), T0, Ct);
            await store.AppendEntriesAsync(id, [Charge("c1", T0, 10m)], T0, Ct);
            await EvaluateOverdueAsync(store, id, T0);
        }

        return store;
    }
}
