using System.Globalization;
using NodaTime;

namespace Arrears.Policy;

/// <summary>
/// The lifecycle of one product of an account, as a store persists it: which product, its status, the current arrears
/// episode and that episode's deadlines.
/// </summary>
/// <remarks>
/// <para>
/// The constructor checks that the values belong together (an Overdue lifecycle has a start and a suspension deadline, a
/// Suspended one also a purge deadline, and so on), so a lifecycle read back from a store is either consistent or rejected
/// with the field and the value.
/// </para>
/// <para>
/// The default value is the lifecycle of the single unnamed product of an account that has never been in arrears:
/// <see cref="LifecycleStatus.Active"/>, episode 0, no deadlines.
/// </para>
/// </remarks>
/// <example>
/// <code>
/// ProductLifecycle lifecycle = evaluation.State.Lifecycles[0];
/// if (lifecycle.Status == LifecycleStatus.Overdue)
/// {
///     Console.WriteLine($"{lifecycle.Product ?? "the account"}, episode {lifecycle.Episode}: suspended at {lifecycle.SuspendAt} unless paid");
/// }
/// </code>
/// </example>
public readonly struct ProductLifecycle : IEquatable<ProductLifecycle>
{
    private const byte HasOverdueSince = 1;
    private const byte HasSuspendAt = 2;
    private const byte HasPurgeAt = 4;

    // The three instants are kept unwrapped (an unset one is the default instant) with one byte saying which are set, and
    // the status in a byte: 64 bytes rather than the 88 that three Instant? and an int-sized status take. Every state's
    // lifecycle array, and every copy the engine makes on the stack, is that much smaller.
    private readonly Instant _overdueSince;
    private readonly Instant _suspendAt;
    private readonly Instant _purgeAt;
    private readonly int _episode;
    private readonly byte _status;
    private readonly byte _set;

    /// <summary>Initializes a lifecycle, checking that its values belong together.</summary>
    /// <param name="product">The product's name as the account policy names it, or <see langword="null"/> for a single-product account.</param>
    /// <param name="status">The status.</param>
    /// <param name="episode">The number of arrears episodes so far (0 before the first); part of notification keys.</param>
    /// <param name="overdueSince">When the current episode started; required while Overdue or Suspended.</param>
    /// <param name="suspendAt">The suspension deadline of the current episode; required while Overdue or Suspended.</param>
    /// <param name="purgeAt">The purge deadline; required while Suspended or Purged.</param>
    /// <exception cref="ArgumentException">A value is missing for the status, or out of range; the message names the field and the value.</exception>
    public ProductLifecycle(string? product, LifecycleStatus status, int episode, Instant? overdueSince, Instant? suspendAt, Instant? purgeAt)
    {
        if (product is not null && string.IsNullOrWhiteSpace(product))
        {
            throw new ArgumentException($"product: must be null or a name, got \"{product}\"", nameof(product));
        }

        var problem = status switch
        {
            _ when episode < 0 => string.Create(CultureInfo.InvariantCulture, $"episode: must not be negative, got {episode}"),
            LifecycleStatus.Active => null,
            LifecycleStatus.Overdue when episode == 0 || overdueSince is null || suspendAt is null =>
                "an Overdue lifecycle needs episode > 0, overdueSince and suspendAt",
            LifecycleStatus.Suspended when episode == 0 || overdueSince is null || suspendAt is null || purgeAt is null =>
                "a Suspended lifecycle needs episode > 0, overdueSince, suspendAt and purgeAt",
            LifecycleStatus.Purged when episode == 0 || purgeAt is null => "a Purged lifecycle needs episode > 0 and purgeAt",
            LifecycleStatus.Overdue or LifecycleStatus.Suspended or LifecycleStatus.Purged => null,
            _ => $"status: must be Active, Overdue, Suspended or Purged, got \"{status}\"",
        };
        if (problem is not null)
        {
            throw new ArgumentException(
                string.Create(CultureInfo.InvariantCulture, $"{problem} (product \"{product}\", status {status}, episode {episode}, overdueSince {overdueSince?.ToString() ?? "null"}, suspendAt {suspendAt?.ToString() ?? "null"}, purgeAt {purgeAt?.ToString() ?? "null"})"),
                nameof(status));
        }

        this = new ProductLifecycle(
            product,
            status,
            episode,
            status is LifecycleStatus.Overdue or LifecycleStatus.Suspended ? overdueSince : null,
            status is LifecycleStatus.Overdue or LifecycleStatus.Suspended ? suspendAt : null,
            status is LifecycleStatus.Suspended or LifecycleStatus.Purged ? purgeAt : null,
            trusted: true);
    }

    private ProductLifecycle(string? product, LifecycleStatus status, int episode, Instant? overdueSince, Instant? suspendAt, Instant? purgeAt, bool trusted)
    {
        _ = trusted;
        Product = product;
        _status = (byte)status;
        _episode = episode;
        _overdueSince = overdueSince.GetValueOrDefault();
        _suspendAt = suspendAt.GetValueOrDefault();
        _purgeAt = purgeAt.GetValueOrDefault();
        _set = (byte)((overdueSince.HasValue ? HasOverdueSince : 0) | (suspendAt.HasValue ? HasSuspendAt : 0) | (purgeAt.HasValue ? HasPurgeAt : 0));
    }

    /// <summary>Gets the product's name, or <see langword="null"/> for a single-product account.</summary>
    public string? Product { get; }

    /// <summary>Gets the status.</summary>
    public LifecycleStatus Status => (LifecycleStatus)_status;

    /// <summary>Gets the number of arrears episodes so far (0 before the first).</summary>
    public int Episode => _episode;

    /// <summary>Gets when the current episode started; set while Overdue or Suspended.</summary>
    public Instant? OverdueSince => (_set & HasOverdueSince) != 0 ? _overdueSince : null;

    /// <summary>Gets the suspension deadline of the current episode; set while Overdue or Suspended.</summary>
    public Instant? SuspendAt => (_set & HasSuspendAt) != 0 ? _suspendAt : null;

    /// <summary>
    /// Gets the suspension deadline without wrapping it, for the idle path: the lifecycle must be Overdue or Suspended, for
    /// which the public constructor requires <see cref="SuspendAt"/> and the engine always sets it.
    /// </summary>
    internal Instant SuspendAtOfEpisode => _suspendAt;

    /// <summary>Gets the purge deadline; set while Suspended or Purged.</summary>
    public Instant? PurgeAt => (_set & HasPurgeAt) != 0 ? _purgeAt : null;

    /// <summary>Returns the lifecycle of a product that has never been in arrears.</summary>
    /// <param name="product">The product's name, or <see langword="null"/> for a single-product account.</param>
    /// <returns>An Active lifecycle with episode 0.</returns>
    public static ProductLifecycle Initial(string? product) => new(product, LifecycleStatus.Active, 0, null, null, null, trusted: true);

    internal static ProductLifecycle Active(string? product, int episode) => new(product, LifecycleStatus.Active, episode, null, null, null, trusted: true);

    internal static ProductLifecycle Overdue(string? product, int episode, Instant since, Instant suspendAt) =>
        new(product, LifecycleStatus.Overdue, episode, since, suspendAt, null, trusted: true);

    internal static ProductLifecycle Suspended(string? product, int episode, Instant? since, Instant suspendAt, Instant purgeAt) =>
        new(product, LifecycleStatus.Suspended, episode, since, suspendAt, purgeAt, trusted: true);

    internal ProductLifecycle ToPurged() => new(Product, LifecycleStatus.Purged, Episode, OverdueSince, SuspendAt, PurgeAt, trusted: true);

    internal ProductLifecycle WithProduct(string? product) => new(product, Status, Episode, OverdueSince, SuspendAt, PurgeAt, trusted: true);

    /// <inheritdoc />
    public bool Equals(ProductLifecycle other) =>
        // An unset instant is always the default one, so comparing the flags and the raw instants compares the Instant? values.
        string.Equals(Product, other.Product, StringComparison.Ordinal) && _status == other._status && _episode == other._episode &&
        _set == other._set && _overdueSince == other._overdueSince && _suspendAt == other._suspendAt && _purgeAt == other._purgeAt;

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is ProductLifecycle other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Product is null ? 0 : StringComparer.Ordinal.GetHashCode(Product), Status, Episode, SuspendAt, PurgeAt);

    /// <summary>Returns the lifecycle in one line, for example <c>apigw: Overdue, episode 1, suspend at 2026-02-02T08:30:00Z</c>.</summary>
    /// <returns>The summary.</returns>
    public override string ToString()
    {
        var name = Product ?? "(account)";
        var episode = Episode.ToString(CultureInfo.InvariantCulture);
        return Status switch
        {
            LifecycleStatus.Overdue => $"{name}: Overdue, episode {episode}, since {OverdueSince}, suspend at {SuspendAt}",
            LifecycleStatus.Suspended => $"{name}: Suspended, episode {episode}, since {OverdueSince}, suspended at {SuspendAt}, purge at {PurgeAt}",
            LifecycleStatus.Purged => $"{name}: Purged, episode {episode}, purged at {PurgeAt}",
            _ => $"{name}: {Status}, episode {episode}",
        };
    }

    /// <summary>Compares two lifecycles.</summary>
    /// <param name="left">The first lifecycle.</param>
    /// <param name="right">The second lifecycle.</param>
    /// <returns>Whether they are equal.</returns>
    public static bool operator ==(ProductLifecycle left, ProductLifecycle right) => left.Equals(right);

    /// <summary>Compares two lifecycles.</summary>
    /// <param name="left">The first lifecycle.</param>
    /// <param name="right">The second lifecycle.</param>
    /// <returns>Whether they differ.</returns>
    public static bool operator !=(ProductLifecycle left, ProductLifecycle right) => !left.Equals(right);
}
