using Arrears.Policy.PostgreSql;

namespace Arrears.Policy.Stores.Tests.PostgreSql;

/// <summary>The store contract, held by the PostgreSQL store: each test on a fresh schema, a second instance with its own pool.</summary>
[PostgreSqlTests]
[Trait("Category", "PostgreSql")]
public sealed class PostgreSqlStoreContractTests(PostgreSqlSchemas schemas) : StoreContractTests, IClassFixture<PostgreSqlSchemas>
{
    protected override Task<IArrearsStore> CreateStoreAsync() => Task.FromResult<IArrearsStore>(schemas.CreateStore());

    protected override Task<IArrearsStore> OpenAnotherAsync(IArrearsStore store) =>
        Task.FromResult<IArrearsStore>(schemas.Open(((PostgreSqlArrearsStore)store).SchemaName));
}
