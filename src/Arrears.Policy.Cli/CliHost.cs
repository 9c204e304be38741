using Arrears.Policy.Cli.Stores;
using NodaTime;

namespace Arrears.Policy.Cli;

/// <summary>What the tool takes from the process it runs in: the clock, and how it opens a store.</summary>
/// <param name="Clock">The clock "now" comes from (the system clock in the tool, a fixed one in tests).</param>
/// <param name="OpenStore">Opens the store a <c>--store</c> value names; <see langword="null"/> for the SQLite and PostgreSQL stores.</param>
internal sealed record CliHost(IClock Clock, Func<StoreLocation, CancellationToken, ValueTask<OpenedStore>>? OpenStore = null)
{
    /// <summary>Opens a store: the one <see cref="OpenStore"/> gives, or the real store of the location.</summary>
    public ValueTask<OpenedStore> OpenAsync(StoreLocation location, CancellationToken cancellationToken) =>
        OpenStore is { } open ? open(location, cancellationToken) : StoreFactory.OpenAsync(location, cancellationToken);
}
