using System.Globalization;
using NodaTime;

namespace Arrears.Policy;

/// <summary>
/// The append-only ledger of one account: an opening balance in one currency plus charges, payments, credits and refunds.
/// </summary>
/// <remarks>
/// <para>
/// The balance is always computed by each entry's <see cref="LedgerEntry.At"/> instant, never by arrival order, so entries may
/// arrive out of order (a backdated bank transfer). Appending an entry whose id already exists with the same content is a
/// no-op; the same id with different content is rejected. A batch is validated whole before anything is applied.
/// </para>
/// <para>
/// Entries are kept sorted by instant together with their prefix sums, so <see cref="BalanceAt"/> is a binary search
/// (O(log n)) that allocates nothing; an append in time order costs O(1), a backdated one O(k) for the k later entries.
/// </para>
/// <para>Appends must not run concurrently with each other or with queries; concurrent queries are safe.</para>
/// </remarks>
/// <example>
/// <code>
/// var ledger = new Ledger(Currency.FromCode("CNY"));
/// ledger.Append(new LedgerEntry("c1", LedgerEntryKind.Charge, Instant.FromUtc(2026, 2, 1, 8, 30), 25m));
/// ledger.BalanceAt(Instant.FromUtc(2026, 2, 1, 9, 0));   // -25
/// </code>
/// </example>
public sealed class Ledger : IBalanceHistory
{
    private readonly List<LedgerEntry> _entries = [];
    private readonly List<decimal> _balances = [];
    private readonly Dictionary<string, LedgerEntry> _byId = new(StringComparer.Ordinal);
    private IReadOnlyList<LedgerEntry>? _readOnlyEntries;

    // The newest entry's instant and the balance after every entry, kept beside the lists so that a question about an
    // instant at or after the newest entry (every idle evaluation) reads two fields instead of walking list, array and entry.
    private Instant _newestAt;
    private decimal _closingBalance;

    /// <summary>Initializes an empty ledger.</summary>
    /// <param name="currency">The account's currency.</param>
    /// <param name="openingBalance">The opening balance; never negative (a carried-over debt is a charge with its own instant).</param>
    /// <exception cref="ArgumentException">
    /// <paramref name="openingBalance"/> is negative or has more decimal places than the currency's minor units, or
    /// <paramref name="currency"/> is the default value.
    /// </exception>
    public Ledger(Currency currency, decimal openingBalance = 0m)
    {
        CheckOpening(currency, openingBalance);
        Currency = currency;
        OpeningBalance = openingBalance;
        _closingBalance = openingBalance;
    }

    /// <summary>
    /// Checks a currency and an opening balance as a ledger accepts them (the currency not the default value, the balance
    /// not negative and with at most the currency's minor units), with the messages every input that takes them uses.
    /// </summary>
    /// <exception cref="ArgumentException">The currency or the opening balance is invalid; the message names the field and the value.</exception>
    internal static void CheckOpening(Currency currency, decimal openingBalance)
    {
        if (currency == default)
        {
            throw new ArgumentException("currency: must be an ISO 4217 currency, got the default value", nameof(currency));
        }

        if (decimal.Round(openingBalance, currency.MinorUnits) != openingBalance)
        {
            throw new ArgumentException(
                string.Create(CultureInfo.InvariantCulture, $"openingBalance: must have at most {currency.MinorUnits} decimal places for {currency.Code}, got \"{openingBalance}\""),
                nameof(openingBalance));
        }

        if (openingBalance < 0)
        {
            throw new ArgumentException(
                string.Create(CultureInfo.InvariantCulture, $"openingBalance: must not be negative, got \"{openingBalance}\""),
                nameof(openingBalance));
        }
    }

    /// <summary>Gets the account's currency.</summary>
    public Currency Currency { get; }

    /// <summary>Gets the opening balance.</summary>
    public decimal OpeningBalance { get; }

    /// <summary>Gets the number of entries.</summary>
    public int Count => _entries.Count;

    /// <summary>Gets the entries ordered by instant (entries at the same instant in arrival order).</summary>
    public IReadOnlyList<LedgerEntry> Entries => _readOnlyEntries ??= _entries.AsReadOnly();

    /// <summary>Appends one entry.</summary>
    /// <param name="entry">The entry.</param>
    /// <returns>Whether the entry was added or was an identical replay.</returns>
    /// <exception cref="ArgumentException">An entry with the same id but different content exists; nothing is applied.</exception>
    public AppendResult Append(LedgerEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        return Append([entry]);
    }

    /// <summary>Appends a batch of entries atomically: either every entry is applied (or recognised as a replay) or none is.</summary>
    /// <param name="entries">The entries, in any order.</param>
    /// <returns>How many entries were added and how many were identical replays.</returns>
    /// <exception cref="ArgumentException">
    /// An entry is null, an amount has more decimal places than the currency's minor units, or an id already exists (in the
    /// ledger or earlier in the batch) with different content. The message names the position in the batch, the field and
    /// the value; nothing of the batch is applied.
    /// </exception>
    public AppendResult Append(IEnumerable<LedgerEntry> entries)
    {
        ArgumentNullException.ThrowIfNull(entries);
        var batch = entries as IReadOnlyList<LedgerEntry> ?? [.. entries];
        var fresh = new Dictionary<string, LedgerEntry>(StringComparer.Ordinal);
        var toAdd = new List<LedgerEntry>(batch.Count);
        var replayed = 0;
        for (var i = 0; i < batch.Count; i++)
        {
            var entry = batch[i] ?? throw new ArgumentException($"entries[{i}]: must not be null", nameof(entries));
            if (decimal.Round(entry.Amount, Currency.MinorUnits) != entry.Amount)
            {
                throw new ArgumentException(
                    string.Create(CultureInfo.InvariantCulture, $"entries[{i}].amount: must have at most {Currency.MinorUnits} decimal places for {Currency.Code}, got \"{entry.Amount}\" (entry \"{entry.Id}\")"),
                    nameof(entries));
            }

            if (_byId.TryGetValue(entry.Id, out var existing) || fresh.TryGetValue(entry.Id, out existing))
            {
                if (!existing.Equals(entry))
                {
                    throw new ArgumentException(
                        $"entries[{i}].id: an entry with id \"{entry.Id}\" already exists with different content ({existing}), got ({entry})",
                        nameof(entries));
                }

                replayed++;
                continue;
            }

            fresh.Add(entry.Id, entry);
            toAdd.Add(entry);
        }

        if (toAdd.Count == 0)
        {
            return new AppendResult(0, replayed);
        }

        var firstChanged = _entries.Count;
        foreach (var entry in toAdd)
        {
            var index = UpperBound(entry.At);
            _entries.Insert(index, entry);
            if (index == _entries.Count - 1)
            {
                _newestAt = entry.At;
            }

            _balances.Insert(index, 0m);
            _byId.Add(entry.Id, entry);
            firstChanged = Math.Min(firstChanged, index);
        }

        var running = firstChanged == 0 ? OpeningBalance : _balances[firstChanged - 1];
        for (var i = firstChanged; i < _entries.Count; i++)
        {
            running += _entries[i].SignedAmount;
            _balances[i] = running;
        }

        _closingBalance = running;
        return new AppendResult(toAdd.Count, replayed);
    }

    /// <summary>Looks up an entry by id.</summary>
    /// <param name="id">The id.</param>
    /// <param name="entry">The entry when found.</param>
    /// <returns><see langword="true"/> when an entry with that id exists.</returns>
    public bool TryGetEntry(string id, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out LedgerEntry? entry) =>
        _byId.TryGetValue(id, out entry);

    /// <summary>Returns the balance at an instant: opening + credits − debits over the entries with <c>At &lt;= instant</c>.</summary>
    /// <param name="instant">The instant.</param>
    /// <returns>The balance, unrounded.</returns>
    public decimal BalanceAt(Instant instant)
    {
        var count = UpperBound(instant);
        return count == 0 ? OpeningBalance : _balances[count - 1];
    }

    /// <summary>Returns whether the account is in arrears at an instant: <c>BalanceAt(instant) &lt; -tolerance</c>.</summary>
    /// <param name="instant">The instant.</param>
    /// <param name="tolerance">The tolerated debt (0 or more).</param>
    /// <returns><see langword="true"/> when the balance is below minus the tolerance.</returns>
    public bool IsInArrearsAt(Instant instant, decimal tolerance = 0m) => BalanceAt(instant) < -tolerance;

    /// <inheritdoc />
    public bool TryGetFirstEntryInstant(out Instant first)
    {
        if (_entries.Count > 0)
        {
            first = _entries[0].At;
            return true;
        }

        first = default;
        return false;
    }

    /// <inheritdoc />
    public bool TryGetNextEntryInstant(Instant after, out Instant instant)
    {
        var index = UpperBound(after);
        if (index < _entries.Count)
        {
            instant = _entries[index].At;
            return true;
        }

        instant = default;
        return false;
    }

    /// <summary>
    /// Answers <see cref="BalanceAt"/> at <paramref name="after"/> and <see cref="TryGetNextEntryInstant"/> after it with one
    /// search (the engine's idle check asks both).
    /// </summary>
    /// <param name="after">The instant.</param>
    /// <param name="balance">The balance at <paramref name="after"/>.</param>
    /// <param name="next">The next entry instant strictly after <paramref name="after"/>, when there is one.</param>
    /// <returns>Whether there is an entry after <paramref name="after"/>.</returns>
    internal bool BalanceAtAndNextEntry(Instant after, out decimal balance, out Instant next)
    {
        if (_entries.Count == 0 || _newestAt <= after)
        {
            balance = _closingBalance;
            next = default;
            return false;
        }

        var index = UpperBound(after);
        balance = index == 0 ? OpeningBalance : _balances[index - 1];
        if (index < _entries.Count)
        {
            next = _entries[index].At;
            return true;
        }

        next = default;
        return false;
    }

    /// <summary>Returns the balance as steps over time: one step per distinct entry instant, with the balance after it.</summary>
    /// <returns>The steps in time order; empty when the ledger has no entries.</returns>
    public IEnumerable<BalanceStep> BalanceSteps()
    {
        for (var i = 0; i < _entries.Count; i++)
        {
            if (i + 1 < _entries.Count && _entries[i + 1].At == _entries[i].At)
            {
                continue;
            }

            yield return new BalanceStep(_entries[i].At, _balances[i]);
        }
    }

    /// <summary>
    /// Returns the "Bill Details" view of an interval: the charges (<see cref="LedgerEntryKind.Charge"/> entries) whose
    /// <see cref="LedgerEntry.At"/> lies in <paramref name="interval"/>, summed per product and billing item.
    /// </summary>
    /// <param name="interval">The half-open interval <c>[start, end)</c>; an interval without a start or end is unbounded on that side.</param>
    /// <returns>
    /// One line per (product, billing item) with at least one charge, ordered by product then billing item (ordinal, lines
    /// without a product or item first). Payments, credits and refunds are not part of the view.
    /// </returns>
    public IReadOnlyList<BillDetailLine> BillDetails(Interval interval)
    {
        var first = interval.HasStart ? LowerBound(interval.Start) : 0;
        var last = interval.HasEnd ? LowerBound(interval.End) : _entries.Count;
        var lines = new Dictionary<(string? Product, string? BillingItem), (int Count, decimal Amount)>();
        for (var i = first; i < last; i++)
        {
            var entry = _entries[i];
            if (entry.Kind != LedgerEntryKind.Charge)
            {
                continue;
            }

            var key = (entry.Product, entry.BillingItem);
            lines[key] = lines.TryGetValue(key, out var line) ? (line.Count + 1, line.Amount + entry.Amount) : (1, entry.Amount);
        }

        var result = new List<BillDetailLine>(lines.Count);
        foreach (var ((product, billingItem), (count, amount)) in lines)
        {
            result.Add(new BillDetailLine(product, billingItem, count, amount));
        }

        result.Sort(static (a, b) =>
        {
            var byProduct = string.CompareOrdinal(a.Product, b.Product);
            return byProduct != 0 ? byProduct : string.CompareOrdinal(a.BillingItem, b.BillingItem);
        });
        return result;
    }

    /// <summary>Returns the index of the first entry with <c>At &gt;= instant</c> (the number of entries strictly before it).</summary>
    private int LowerBound(Instant instant)
    {
        int lo = 0, hi = _entries.Count;
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            if (_entries[mid].At < instant)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }

        return lo;
    }

    /// <summary>Returns the index of the first entry with <c>At &gt; instant</c> (the number of entries at or before it).</summary>
    private int UpperBound(Instant instant)
    {
        // An instant at or after the newest entry (an evaluation of an account with no future entry) needs no search.
        var count = _entries.Count;
        if (count == 0 || _newestAt <= instant)
        {
            return count;
        }

        int lo = 0, hi = count - 1;
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            if (_entries[mid].At <= instant)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }

        return lo;
    }
}

/// <summary>The outcome of appending entries to a <see cref="Ledger"/>.</summary>
/// <param name="Added">How many entries were new and were added.</param>
/// <param name="Replayed">How many entries were identical replays of existing entries (no-ops).</param>
/// <example>
/// <code>
/// var result = ledger.Append(entriesFromTheBank);   // safe to retry: entries already there are replays
/// Console.WriteLine($"{result.Added} new, {result.Replayed} already known");
/// </code>
/// </example>
public readonly record struct AppendResult(int Added, int Replayed);

/// <summary>The balance of a ledger from one instant on.</summary>
/// <param name="At">The instant of one or more entries.</param>
/// <param name="Balance">The balance after applying every entry up to and including <paramref name="At"/>.</param>
/// <example>
/// <code>
/// foreach (var step in ledger.BalanceSteps())
/// {
///     Console.WriteLine($"{step.At}: {step.Balance}");   // one line per instant with entries, in time order
/// }
/// </code>
/// </example>
public readonly record struct BalanceStep(Instant At, decimal Balance);
