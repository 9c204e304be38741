using Arrears.Policy.Runtime;

namespace Arrears.Policy.Cli.Stores;

/// <summary>A store the tool opened for one command, closed (when it owns it) at the end of the command.</summary>
/// <param name="store">The store.</param>
/// <param name="location">Where it is, for messages.</param>
/// <param name="owned">Whether closing this closes the store (a test's shared store is not closed).</param>
internal sealed class OpenedStore(IArrearsStore store, StoreLocation location, bool owned = true) : IAsyncDisposable
{
    public IArrearsStore Store { get; } = store;

    public StoreLocation Location { get; } = location;

    public async ValueTask DisposeAsync()
    {
        if (!owned)
        {
            return;
        }

        if (Store is IAsyncDisposable asyncDisposable)
        {
            await asyncDisposable.DisposeAsync().ConfigureAwait(false);
        }
        else if (Store is IDisposable disposable)
        {
            disposable.Dispose();
        }
    }
}
