using Arrears.Policy.Runtime;

namespace Arrears.Policy.Stores;

/// <summary>
/// The messages of the <see cref="ArgumentException"/>s every store throws for a caller's mistake, worded as
/// <see cref="InMemoryArrearsStore"/> words them, so that a host (and the store contract tests) sees one message whichever
/// store it runs on.
/// </summary>
internal static class StoreErrors
{
    /// <summary>The parameter of <see cref="IArrearsStore.ImportAsync"/> that import errors name.</summary>
    private static readonly string Accounts = "accounts";

    public static ArgumentException UnknownAccount(string account) =>
        new($"account: no account \"{account}\"", nameof(account));

    public static ArgumentException RegistrationDiffers(string account) =>
        new($"account.id: an account \"{account}\" already exists with a different registration", nameof(account));

    public static ArgumentException BatchDiffers(string account, string batch) =>
        new($"batch: usage batch \"{batch}\" of account \"{account}\" was already recorded with other records", nameof(batch));

    public static ArgumentException UnknownOutboxKey(string key) =>
        new($"key: no outbox message with key \"{key}\"", nameof(key));

    public static ArgumentException ImportRepeats(string account) =>
        new($"accounts: account \"{account}\" appears more than once", Accounts);

    public static ArgumentException ImportEntryDiffers(string account, string entry) =>
        new($"account \"{account}\": entries: entry \"{entry}\" already exists with other content", Accounts);

    public static ArgumentException ImportBatchDiffers(string account, string batch) =>
        new($"account \"{account}\": usage: batch \"{batch}\" was already recorded with other records", Accounts);

    public static ArgumentException ImportLedgerChanges(string account) =>
        new($"account \"{account}\": account.currency and account.openingBalance cannot change once the ledger exists", Accounts);

    public static ArgumentException ImportInvalid(string account, ArgumentException inner) =>
        new($"account \"{account}\": {inner.Message}", Accounts, inner);
}
