using NodaTime;

namespace Arrears.Policy;

/// <summary>
/// A read-only view of an account's balance over time: what the lifecycle engine reads. <see cref="Ledger"/> implements
/// it in memory; a database store implements it over its own tables without materialising whole ledgers.
/// </summary>
/// <remarks>
/// The balance is the opening balance plus every entry effective at or before an instant (credits and payments raise it,
/// charges and refunds lower it), entries at the same instant counting together. Implementations answer the same
/// questions the same way for the engine to decide the same way: <see cref="BalanceAt"/> includes entries at the instant
/// itself, and the entry instants are those of entries known now, whatever order they arrived in.
/// </remarks>
/// <example>
/// <code>
/// IBalanceHistory balances = ledger;
/// if (balances.TryGetNextEntryInstant(Instant.FromUtc(2026, 2, 1, 0, 0), out var next))
/// {
///     Console.WriteLine($"{next}: {balances.BalanceAt(next)}");
/// }
/// </code>
/// </example>
public interface IBalanceHistory
{
    /// <summary>Gets the balance before any entry.</summary>
    decimal OpeningBalance { get; }

    /// <summary>Returns the balance after every entry effective at or before <paramref name="instant"/>.</summary>
    /// <param name="instant">The instant.</param>
    /// <returns>The balance.</returns>
    decimal BalanceAt(Instant instant);

    /// <summary>Finds the instant of the earliest entry.</summary>
    /// <param name="first">The earliest entry instant, when there is one.</param>
    /// <returns>Whether there is any entry.</returns>
    bool TryGetFirstEntryInstant(out Instant first);

    /// <summary>Finds the earliest entry instant strictly after <paramref name="after"/>.</summary>
    /// <param name="after">The instant to search after.</param>
    /// <param name="instant">The next entry instant, when there is one.</param>
    /// <returns>Whether there is an entry after <paramref name="after"/>.</returns>
    bool TryGetNextEntryInstant(Instant after, out Instant instant);
}
