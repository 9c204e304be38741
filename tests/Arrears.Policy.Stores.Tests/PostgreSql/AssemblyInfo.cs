// The PostgreSQL contract class inherits plain facts; this framework skips them, with the reason, where no server is configured.
[assembly: TestFramework("Arrears.Policy.Stores.Tests.PostgreSql.ServerAwareTestFramework", "Arrears.Policy.Stores.Tests")]
