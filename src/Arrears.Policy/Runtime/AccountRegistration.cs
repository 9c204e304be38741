using Arrears.Policy.Billing;
using NodaTime;

namespace Arrears.Policy.Runtime;

/// <summary>
/// An account as a host registers it with the runtime: who it is and who hears about it, which account policy it follows,
/// its currency and opening balance, its billing time zone, and the billing items its usage is rated with.
/// </summary>
/// <example>
/// <code>
/// var registration = new AccountRegistration(
///     new AccountProfile("acct-1", "owner"),
///     policy: "api-gateway",
///     currency: Currency.FromCode("CNY"),
///     timeZone: DateTimeZoneProviders.Tzdb["Asia/Shanghai"],
///     openingBalance: 100m,
///     items: [new BillingItem("calls", 10000m, 0.06m, BillingCycle.Parse("PT1H"))]);
/// await runtime.RegisterAsync(registration, cancellationToken);
/// </code>
/// </example>
public sealed class AccountRegistration
{
    /// <summary>Initializes a registration, checking every value.</summary>
    /// <param name="profile">The account's id, creator, collaborators and balance alarm.</param>
    /// <param name="policy">The name of the account policy it follows, as registered with the runtime.</param>
    /// <param name="currency">The account's currency.</param>
    /// <param name="timeZone">The account's billing time zone: for day, week and month cycles and for the instants in messages.</param>
    /// <param name="openingBalance">The opening balance; not negative, with at most the currency's minor units.</param>
    /// <param name="items">The billing items usage is rated with; ids unique. None: the host appends charges itself.</param>
    /// <exception cref="ArgumentException">A value is missing or invalid; the message names the field and the value.</exception>
    public AccountRegistration(AccountProfile profile, string policy, Currency currency, DateTimeZone timeZone, decimal openingBalance = 0m, IReadOnlyList<BillingItem>? items = null)
    {
        ArgumentNullException.ThrowIfNull(profile);
        ArgumentNullException.ThrowIfNull(timeZone);
        if (string.IsNullOrWhiteSpace(policy))
        {
            throw new ArgumentException($"policy: must name an account policy, got \"{policy}\"", nameof(policy));
        }

        Ledger.CheckOpening(currency, openingBalance);
        var list = items?.ToArray() ?? [];
        for (var i = 0; i < list.Length; i++)
        {
            if (list[i] is null)
            {
                throw new ArgumentException($"items[{i}]: must not be null", nameof(items));
            }

            for (var j = 0; j < i; j++)
            {
                if (string.Equals(list[j].Id, list[i].Id, StringComparison.Ordinal))
                {
                    throw new ArgumentException($"items[{i}].id: duplicate billing item id, got \"{list[i].Id}\"", nameof(items));
                }
            }
        }

        Profile = profile;
        Policy = policy;
        Currency = currency;
        TimeZone = timeZone;
        OpeningBalance = openingBalance;
        Items = list;
    }

    /// <summary>Gets the account's id, creator, collaborators and balance alarm.</summary>
    public AccountProfile Profile { get; }

    /// <summary>Gets the account id.</summary>
    public string Id => Profile.Id;

    /// <summary>Gets the name of the account policy the account follows.</summary>
    public string Policy { get; }

    /// <summary>Gets the account's currency.</summary>
    public Currency Currency { get; }

    /// <summary>Gets the account's billing time zone.</summary>
    public DateTimeZone TimeZone { get; }

    /// <summary>Gets the opening balance.</summary>
    public decimal OpeningBalance { get; }

    /// <summary>Gets the billing items usage is rated with.</summary>
    public IReadOnlyList<BillingItem> Items { get; }

    /// <summary>Returns the billing item with an id, if the account has one.</summary>
    /// <param name="id">The item id.</param>
    /// <returns>The item, or <see langword="null"/>.</returns>
    public BillingItem? FindItem(string id) => Items.FirstOrDefault(item => string.Equals(item.Id, id, StringComparison.Ordinal));

    /// <summary>Returns whether another registration says the same (a replayed registration is a no-op).</summary>
    internal bool SameAs(AccountRegistration other) =>
        string.Equals(Id, other.Id, StringComparison.Ordinal) &&
        string.Equals(Policy, other.Policy, StringComparison.Ordinal) &&
        Currency == other.Currency &&
        string.Equals(TimeZone.Id, other.TimeZone.Id, StringComparison.Ordinal) &&
        OpeningBalance == other.OpeningBalance &&
        string.Equals(Profile.Creator, other.Profile.Creator, StringComparison.Ordinal) &&
        Profile.Collaborators.SequenceEqual(other.Profile.Collaborators, StringComparer.Ordinal) &&
        Profile.BalanceAlarm == other.Profile.BalanceAlarm &&
        Items.SequenceEqual(other.Items);
}
