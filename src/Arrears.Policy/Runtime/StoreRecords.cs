using System.Globalization;
using Arrears.Policy.Billing;
using NodaTime;

namespace Arrears.Policy.Runtime;

/// <summary>
/// One transition as the audit trail keeps it: what changed, when it took effect, and when it was decided. A store saves
/// and reads these; <see cref="Transition"/> is what the engine returns.
/// </summary>
/// <remarks>Two records are equal when every property is.</remarks>
/// <example>
/// <code>
/// foreach (var record in await store.HistoryAsync("acct-1", cancellationToken))
/// {
///     // "2026-02-02T08:30:00Z Overdue -&gt; Suspended (GraceExpired, episode 1), decided 2026-02-02T09:00:00Z"
///     Console.WriteLine(record);
/// }
/// </code>
/// </example>
public sealed class TransitionRecord : IEquatable<TransitionRecord>
{
    /// <summary>Initializes a record, for example when a store reads one back.</summary>
    /// <param name="at">The effective instant.</param>
    /// <param name="from">The status before.</param>
    /// <param name="to">The status after.</param>
    /// <param name="reason">Why it happened.</param>
    /// <param name="episode">The arrears episode it belongs to (at least 1).</param>
    /// <param name="product">The product, or <see langword="null"/> for a single-product account.</param>
    /// <param name="isLate">Whether entries that became known late caused it.</param>
    /// <param name="evaluatedAt">The instant of the evaluation that decided it, never before <paramref name="at"/>.</param>
    /// <param name="deferredFrom">The instant it would have taken effect without the holds that deferred it, before <paramref name="at"/>; <see langword="null"/> (the default) when it was not deferred.</param>
    /// <param name="heldBy">The ids of the holds that deferred it; none when <see langword="null"/> (the default). Copied.</param>
    /// <exception cref="ArgumentException">A value is out of range; the message names it.</exception>
    public TransitionRecord(
        Instant at, LifecycleStatus from, LifecycleStatus to, TransitionReason reason, int episode, string? product, bool isLate, Instant evaluatedAt,
        Instant? deferredFrom = null, IReadOnlyList<string>? heldBy = null)
    {
        if (!Enum.IsDefined(from))
        {
            throw new ArgumentException($"from: not a lifecycle status, got \"{from}\"", nameof(from));
        }

        if (!Enum.IsDefined(to) || to == from)
        {
            throw new ArgumentException($"to: must be a lifecycle status other than from ({from}), got \"{to}\"", nameof(to));
        }

        if (!Enum.IsDefined(reason))
        {
            throw new ArgumentException($"reason: not a transition reason, got \"{reason}\"", nameof(reason));
        }

        if (episode < 1)
        {
            throw new ArgumentException($"episode: must be at least 1, got \"{episode}\"", nameof(episode));
        }

        if (product is not null && string.IsNullOrWhiteSpace(product))
        {
            throw new ArgumentException($"product: must be null or a product name, got \"{product}\"", nameof(product));
        }

        if (evaluatedAt < at)
        {
            throw new ArgumentException($"evaluatedAt: must not be before at ({at}), got \"{evaluatedAt}\"", nameof(evaluatedAt));
        }

        if (deferredFrom is { } deferred && deferred >= at)
        {
            throw new ArgumentException($"deferredFrom: must be before at ({at}), got \"{deferred}\"", nameof(deferredFrom));
        }

        var held = heldBy is null ? [] : heldBy.ToArray();
        foreach (var id in held)
        {
            if (string.IsNullOrWhiteSpace(id))
            {
                throw new ArgumentException($"heldBy: every hold id must be a name, got \"{id}\"", nameof(heldBy));
            }
        }

        At = at;
        From = from;
        To = to;
        Reason = reason;
        Episode = episode;
        Product = product;
        IsLate = isLate;
        EvaluatedAt = evaluatedAt;
        DeferredFrom = deferredFrom;
        HeldBy = held;
    }

    /// <summary>Gets the effective instant.</summary>
    public Instant At { get; }

    /// <summary>Gets the status before.</summary>
    public LifecycleStatus From { get; }

    /// <summary>Gets the status after.</summary>
    public LifecycleStatus To { get; }

    /// <summary>Gets why it happened.</summary>
    public TransitionReason Reason { get; }

    /// <summary>Gets the arrears episode it belongs to.</summary>
    public int Episode { get; }

    /// <summary>Gets the product whose lifecycle changed, or <see langword="null"/> for a single-product account.</summary>
    public string? Product { get; }

    /// <summary>Gets whether entries that became known after the previous evaluation caused it (see <see cref="Transition.IsLate"/>).</summary>
    public bool IsLate { get; }

    /// <summary>Gets the instant of the evaluation that decided it.</summary>
    public Instant EvaluatedAt { get; }

    /// <summary>Gets the instant it would have taken effect without the holds that deferred it (see <see cref="Transition.DeferredFrom"/>), or <see langword="null"/>.</summary>
    public Instant? DeferredFrom { get; }

    /// <summary>Gets the ids of the holds that deferred it (see <see cref="Transition.HeldBy"/>); empty when it was not deferred.</summary>
    public IReadOnlyList<string> HeldBy { get; }

    /// <summary>Returns whether this record keeps <paramref name="transition"/>: every property of the transition is equal.</summary>
    /// <param name="transition">A transition from the engine or a simulation.</param>
    /// <returns><see langword="true"/> when the record describes the transition.</returns>
    public bool Describes(Transition transition) =>
        transition is not null && At == transition.At && From == transition.From && To == transition.To && Reason == transition.Reason &&
        Episode == transition.Episode && string.Equals(Product, transition.Product, StringComparison.Ordinal) && IsLate == transition.IsLate &&
        DeferredFrom == transition.DeferredFrom && HeldBy.SequenceEqual(transition.HeldBy, StringComparer.Ordinal);

    /// <inheritdoc />
    public bool Equals(TransitionRecord? other) =>
        other is not null && At == other.At && From == other.From && To == other.To && Reason == other.Reason &&
        Episode == other.Episode && string.Equals(Product, other.Product, StringComparison.Ordinal) && IsLate == other.IsLate &&
        EvaluatedAt == other.EvaluatedAt && DeferredFrom == other.DeferredFrom && HeldBy.SequenceEqual(other.HeldBy, StringComparer.Ordinal);

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as TransitionRecord);

    /// <inheritdoc />
    public override int GetHashCode() =>
        HashCode.Combine(At, From, To, Reason, Episode, Product is null ? 0 : StringComparer.Ordinal.GetHashCode(Product), IsLate, EvaluatedAt);

    /// <summary>
    /// Returns the record in one line, for example <c>2026-02-02T08:30:00Z Overdue -&gt; Suspended (GraceExpired, episode 1), decided 2026-02-02T09:00:00Z</c>,
    /// or for a deferred one <c>2026-02-05T00:00:00Z Overdue -&gt; Suspended (GraceExpired, episode 1, deferred from 2026-02-02T08:30:00Z by h1), decided 2026-02-05T00:00:00Z</c>.
    /// </summary>
    /// <returns>The summary.</returns>
    public override string ToString() =>
        string.Create(
            CultureInfo.InvariantCulture,
            $"{At}{(Product is null ? string.Empty : " " + Product)} {From} -> {To} ({Reason}, episode {Episode}{(IsLate ? ", late" : string.Empty)}{(DeferredFrom is { } deferred ? $", deferred from {deferred}{(HeldBy.Count > 0 ? " by " + string.Join(", ", HeldBy) : string.Empty)}" : string.Empty)}), decided {EvaluatedAt}");

    internal static TransitionRecord Of(Transition transition, Instant evaluatedAt) =>
        new(transition.At, transition.From, transition.To, transition.Reason, transition.Episode, transition.Product, transition.IsLate, evaluatedAt,
            transition.DeferredFrom, transition.HeldBy.Count == 0 ? null : transition.HeldBy);
}

/// <summary>
/// One account of an import: its registration (which replaces the stored one), ledger entries, usage and hold facts to add
/// idempotently, and the contacts of its recipients. <see cref="IArrearsStore.ImportAsync"/> applies a list of these whole
/// or not at all.
/// </summary>
/// <example>
/// <code>
/// var import = new AccountImport(registration, entries, usage, usageBatch: "import-2026-02-01",
///     contacts: new Dictionary&lt;string, RecipientContact&gt; { ["owner@example.com"] = new("owner@example.com", "+8613800000000") },
///     dueAt: entries.Min(e =&gt; e.At));
/// var result = await store.ImportAsync([import], cancellationToken);
/// </code>
/// </example>
public sealed class AccountImport
{
    /// <summary>Initializes an import of one account.</summary>
    /// <param name="registration">The account's registration: it creates the account, or replaces the stored registration.</param>
    /// <param name="entries">Ledger entries to add, idempotent by id (an entry with an existing id must have the same content).</param>
    /// <param name="usage">Usage records to add as one batch, idempotent by <paramref name="usageBatch"/>.</param>
    /// <param name="usageBatch">The usage batch's id; required when <paramref name="usage"/> is not empty.</param>
    /// <param name="contacts">Addresses of recipients, by recipient (a recipient's contact is replaced).</param>
    /// <param name="dueAt">When the facts make the account due: a new account is due then, a changed one no later than then.</param>
    /// <param name="holds">
    /// Holds granted and revocations to add, idempotent by id, each with when it became known; none when <see langword="null"/>
    /// (the default). A revocation names a hold of this list or one the account has.
    /// </param>
    /// <exception cref="ArgumentException">
    /// A list holds <see langword="null"/>, an entry id, hold id or revocation id repeats with other content, usage names an
    /// unknown item or has no batch id; the message names it.
    /// </exception>
    public AccountImport(
        AccountRegistration registration,
        IReadOnlyList<LedgerEntry>? entries,
        IReadOnlyList<UsageRecord>? usage,
        string? usageBatch,
        IReadOnlyDictionary<string, RecipientContact>? contacts,
        Instant dueAt,
        IReadOnlyList<HoldRecord>? holds = null)
    {
        ArgumentNullException.ThrowIfNull(registration);
        var entryList = entries?.ToArray() ?? [];
        var ids = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < entryList.Length; i++)
        {
            if (entryList[i] is null)
            {
                throw new ArgumentException($"entries[{i}]: must not be null", nameof(entries));
            }

            if (!ids.Add(entryList[i].Id))
            {
                throw new ArgumentException($"entries[{i}].id: duplicate entry id, got \"{entryList[i].Id}\"", nameof(entries));
            }
        }

        var usageList = usage?.ToArray() ?? [];
        for (var i = 0; i < usageList.Length; i++)
        {
            if (usageList[i] is null)
            {
                throw new ArgumentException($"usage[{i}]: must not be null", nameof(usage));
            }

            if (registration.FindItem(usageList[i].Item) is null)
            {
                throw new ArgumentException($"usage[{i}].item: account \"{registration.Id}\" has no billing item \"{usageList[i].Item}\"", nameof(usage));
            }
        }

        if (usageList.Length > 0 && string.IsNullOrWhiteSpace(usageBatch))
        {
            throw new ArgumentException($"usageBatch: usage needs a batch id, got \"{usageBatch}\"", nameof(usageBatch));
        }

        var contactMap = new Dictionary<string, RecipientContact>(StringComparer.Ordinal);
        if (contacts is not null)
        {
            foreach (var (recipient, contact) in contacts)
            {
                if (string.IsNullOrWhiteSpace(recipient))
                {
                    throw new ArgumentException($"contacts: a recipient must not be empty, got \"{recipient}\"", nameof(contacts));
                }

                contactMap.Add(recipient, contact ?? throw new ArgumentException($"contacts[\"{recipient}\"]: must not be null", nameof(contacts)));
            }
        }

        var holdList = holds?.ToArray() ?? [];
        var holdIds = new Dictionary<string, Hold>(StringComparer.Ordinal);
        var revocationIds = new Dictionary<string, HoldRevocation>(StringComparer.Ordinal);
        for (var i = 0; i < holdList.Length; i++)
        {
            var record = holdList[i] ?? throw new ArgumentException($"holds[{i}]: must not be null", nameof(holds));
            if (record.Hold is { } hold && holdIds.TryGetValue(hold.Id, out var sameId) && !sameId.Equals(hold))
            {
                throw new ArgumentException($"holds[{i}].id: hold \"{hold.Id}\" is listed twice with other content", nameof(holds));
            }

            if (record.Revocation is { } revocation && revocationIds.TryGetValue(revocation.Id, out var sameRevocation) && !sameRevocation.Equals(revocation))
            {
                throw new ArgumentException($"holds[{i}].id: revocation \"{revocation.Id}\" is listed twice with other content", nameof(holds));
            }

            if (record.Hold is { } added)
            {
                holdIds.TryAdd(added.Id, added);
            }
            else
            {
                revocationIds.TryAdd(record.Revocation!.Id, record.Revocation);
            }
        }

        Registration = registration;
        Entries = entryList;
        Usage = usageList;
        Holds = holdList;
        UsageBatch = usageList.Length > 0 ? usageBatch : null;
        Contacts = contactMap;
        DueAt = dueAt;
    }

    /// <summary>Gets the registration.</summary>
    public AccountRegistration Registration { get; }

    /// <summary>Gets the ledger entries to add.</summary>
    public IReadOnlyList<LedgerEntry> Entries { get; }

    /// <summary>Gets the usage records to add.</summary>
    public IReadOnlyList<UsageRecord> Usage { get; }

    /// <summary>Gets the usage batch's id, or <see langword="null"/> when there is no usage.</summary>
    public string? UsageBatch { get; }

    /// <summary>Gets the recipients' contacts.</summary>
    public IReadOnlyDictionary<string, RecipientContact> Contacts { get; }

    /// <summary>Gets the hold facts to add (holds granted and revocations, each with when it became known).</summary>
    public IReadOnlyList<HoldRecord> Holds { get; }

    /// <summary>Gets when the facts make the account due.</summary>
    public Instant DueAt { get; }
}

/// <summary>What an import changed.</summary>
/// <param name="Created">Accounts created.</param>
/// <param name="Updated">Existing accounts whose registration, entries, usage, holds or contacts changed.</param>
/// <param name="Entries">Ledger entries added (identical replays are not counted).</param>
/// <param name="Usage">Usage records added (replayed batches are not counted).</param>
/// <param name="Holds">Holds and revocations added (identical replays are not counted).</param>
/// <example>
/// <code>
/// var result = await store.ImportAsync(imports, cancellationToken);
/// Console.WriteLine($"imported {result.Created + result.Updated} accounts, {result.Entries} entries, {result.Usage} usage records");
/// </code>
/// </example>
public readonly record struct ImportResult(int Created, int Updated, int Entries, int Usage, int Holds = 0);

/// <summary>Which outbox messages <see cref="IArrearsStore.QueryOutboxAsync"/> returns: in the order written, after a position, optionally of one status or account.</summary>
/// <remarks>
/// A query lists what is committed when it runs; it is for operators and reports, not a change feed. Where several hosts
/// commit at once (PostgreSQL), a message may become visible after one with a higher <see cref="OutboxMessage.Sequence"/>
/// was already read, so paging by <see cref="After"/> can pass it by. Deliveries never depend on it: the dispatcher claims
/// pending messages (<see cref="IArrearsStore.ClaimOutboxAsync"/>), whatever their position.
/// </remarks>
/// <example>
/// <code>
/// var page = await store.QueryOutboxAsync(new OutboxQuery(status: OutboxStatus.DeadLettered, max: 100), cancellationToken);
/// var next = await store.QueryOutboxAsync(new OutboxQuery(status: OutboxStatus.DeadLettered, after: page[^1].Sequence, max: 100), cancellationToken);
/// </code>
/// </example>
public sealed class OutboxQuery
{
    /// <summary>Initializes a query.</summary>
    /// <param name="status">Only messages in this status, or every message when <see langword="null"/>.</param>
    /// <param name="account">Only this account's messages, or every account's when <see langword="null"/>.</param>
    /// <param name="after">Only messages written after this <see cref="OutboxMessage.Sequence"/> (0: from the first).</param>
    /// <param name="max">The most messages to return (at least 1).</param>
    /// <exception cref="ArgumentException">A value is out of range; the message names it.</exception>
    public OutboxQuery(OutboxStatus? status = null, string? account = null, long after = 0, int max = 1000)
    {
        if (status is { } s && !Enum.IsDefined(s))
        {
            throw new ArgumentException($"status: not an outbox status, got \"{s}\"", nameof(status));
        }

        if (account is not null && string.IsNullOrWhiteSpace(account))
        {
            throw new ArgumentException($"account: must be null or an account id, got \"{account}\"", nameof(account));
        }

        if (after < 0)
        {
            throw new ArgumentException($"after: must not be negative, got \"{after}\"", nameof(after));
        }

        if (max < 1)
        {
            throw new ArgumentException($"max: must be at least 1, got \"{max}\"", nameof(max));
        }

        Status = status;
        Account = account;
        After = after;
        Max = max;
    }

    /// <summary>Gets the status, or <see langword="null"/> for every status.</summary>
    public OutboxStatus? Status { get; }

    /// <summary>Gets the account, or <see langword="null"/> for every account.</summary>
    public string? Account { get; }

    /// <summary>Gets the position after which to start.</summary>
    public long After { get; }

    /// <summary>Gets the most messages to return.</summary>
    public int Max { get; }

    /// <summary>Returns whether a message matches the status and account of the query (not its position or size).</summary>
    /// <param name="message">The message.</param>
    /// <returns><see langword="true"/> when it matches.</returns>
    public bool Matches(OutboxMessage message) =>
        message is not null && message.Sequence > After && (Status is not { } status || message.Status == status) &&
        (Account is null || string.Equals(message.Account, Account, StringComparison.Ordinal));
}
