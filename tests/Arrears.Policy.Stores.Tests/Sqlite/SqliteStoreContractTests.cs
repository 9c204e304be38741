namespace Arrears.Policy.Stores.Tests.Sqlite;

/// <summary>The store contract, held by the SQLite store: each test on a fresh file, a second instance opened over the same file.</summary>
public sealed class SqliteStoreContractTests : StoreContractTests, IDisposable
{
    private readonly TemporaryDatabase _database = new();

    public void Dispose() => _database.Dispose();

    protected override async Task<IArrearsStore> CreateStoreAsync() => await _database.OpenAsync();

    protected override Task<IArrearsStore> OpenAnotherAsync(IArrearsStore store) => Task.FromResult<IArrearsStore>(_database.Store());
}
