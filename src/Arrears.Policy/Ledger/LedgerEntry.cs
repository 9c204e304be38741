using System.Globalization;
using NodaTime;
using NodaTime.Text;

namespace Arrears.Policy;

/// <summary>
/// One immutable ledger entry: a charge, payment, credit or refund that changes the balance from its <see cref="At"/> instant on.
/// </summary>
/// <remarks>
/// The amount is always strictly positive; <see cref="Kind"/> gives the sign (<see cref="SignedAmount"/>). Two entries with
/// the same <see cref="Id"/> must have the same content: replaying an entry is a no-op, changing one is rejected by the
/// <see cref="Ledger"/>. Every value is validated by the constructor, the only way to make an entry; two entries have the
/// same content (are equal) when every value is (strings ordinal).
/// </remarks>
/// <example>
/// <code>
/// var bill = new LedgerEntry("c1", LedgerEntryKind.Charge, Instant.FromUtc(2026, 2, 1, 8, 30), 25.00m);
/// var payment = new LedgerEntry("p1", LedgerEntryKind.Payment, Instant.FromUtc(2026, 2, 2, 8, 30), 20.00m,
///     externalReference: "bank-transfer-7781");
/// </code>
/// </example>
public sealed class LedgerEntry : IEquatable<LedgerEntry>
{
    /// <summary>Initializes a new ledger entry.</summary>
    /// <param name="id">The unique id of the entry; not empty.</param>
    /// <param name="kind">The kind, which gives the sign.</param>
    /// <param name="at">The instant from which the entry counts in the balance.</param>
    /// <param name="amount">The strictly positive amount.</param>
    /// <param name="product">The product the entry belongs to, if any (for bill details). Default: none.</param>
    /// <param name="billingItem">The billing item the entry was rated from, if any. Default: none.</param>
    /// <param name="externalReference">A reference in an external system (invoice or bank transfer number), if any. Default: none.</param>
    /// <exception cref="ArgumentException">The id is empty, the kind is undefined or the amount is not positive; the message names the field and value.</exception>
    public LedgerEntry(
        string id,
        LedgerEntryKind kind,
        Instant at,
        decimal amount,
        string? product = null,
        string? billingItem = null,
        string? externalReference = null)
    {
        if (string.IsNullOrWhiteSpace(id))
        {
            throw new ArgumentException($"id: must not be empty, got \"{id}\"", nameof(id));
        }

        if (!Enum.IsDefined(kind))
        {
            throw new ArgumentException($"kind: unknown entry kind, got \"{kind}\"", nameof(kind));
        }

        if (amount <= 0)
        {
            throw new ArgumentException(
                string.Create(CultureInfo.InvariantCulture, $"amount: must be positive, got \"{amount}\""), nameof(amount));
        }

        Id = id;
        Kind = kind;
        At = at;
        Amount = amount;
        Product = product;
        BillingItem = billingItem;
        ExternalReference = externalReference;
    }

    /// <summary>Gets the unique id of the entry.</summary>
    public string Id { get; }

    /// <summary>Gets the kind of the entry.</summary>
    public LedgerEntryKind Kind { get; }

    /// <summary>Gets the instant from which the entry counts in the balance.</summary>
    public Instant At { get; }

    /// <summary>Gets the strictly positive amount, in the ledger's currency.</summary>
    public decimal Amount { get; }

    /// <summary>Gets the product the entry belongs to, if any (for bill details).</summary>
    public string? Product { get; }

    /// <summary>Gets the billing item the entry was rated from, if any.</summary>
    public string? BillingItem { get; }

    /// <summary>Gets a reference in an external system (invoice or bank transfer number), if any.</summary>
    public string? ExternalReference { get; }

    /// <summary>Gets whether the entry raises the balance (<see cref="LedgerEntryKind.Payment"/> and <see cref="LedgerEntryKind.Credit"/>).</summary>
    public bool IsCredit => Kind is LedgerEntryKind.Payment or LedgerEntryKind.Credit;

    /// <summary>Gets the amount with the sign its kind gives: positive for credits, negative for debits.</summary>
    public decimal SignedAmount => IsCredit ? Amount : -Amount;

    /// <summary>Returns whether two entries have the same content.</summary>
    /// <param name="left">The first entry.</param>
    /// <param name="right">The second entry.</param>
    /// <returns>Whether they are equal (both <see langword="null"/>, or equal by <see cref="Equals(LedgerEntry)"/>).</returns>
    public static bool operator ==(LedgerEntry? left, LedgerEntry? right) => left is null ? right is null : left.Equals(right);

    /// <summary>Returns whether two entries differ in content.</summary>
    /// <param name="left">The first entry.</param>
    /// <param name="right">The second entry.</param>
    /// <returns>Whether they differ.</returns>
    public static bool operator !=(LedgerEntry? left, LedgerEntry? right) => !(left == right);

    /// <inheritdoc />
    public bool Equals(LedgerEntry? other) =>
        other is not null
        && (ReferenceEquals(this, other)
            || (string.Equals(Id, other.Id, StringComparison.Ordinal)
                && Kind == other.Kind
                && At == other.At
                && Amount == other.Amount
                && string.Equals(Product, other.Product, StringComparison.Ordinal)
                && string.Equals(BillingItem, other.BillingItem, StringComparison.Ordinal)
                && string.Equals(ExternalReference, other.ExternalReference, StringComparison.Ordinal)));

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as LedgerEntry);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(StringComparer.Ordinal.GetHashCode(Id), Kind, At, Amount);

    /// <summary>Returns a short description such as <c>charge c1 25.00 at 2026-02-01T08:30:00Z</c>.</summary>
    /// <returns>The description.</returns>
    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"{Kind.ToString().ToLowerInvariant()} {Id} {Amount} at {InstantPattern.ExtendedIso.Format(At)}");
}
