using Arrears.Policy.Runtime;

namespace Arrears.Policy.Tests.Runtime;

public sealed class AccountPolicyRegistryTests
{
    private static readonly AccountPolicy Gateway = AccountPolicy.For(PolicyPresets.TencentApiGateway.Policy);

    [Fact]
    public void Indexer_UnknownName_NamesItAndEveryRegisteredPolicy()
    {
        var registry = new AccountPolicyRegistry(new Dictionary<string, AccountPolicy> { ["b"] = Gateway, ["a"] = Gateway });

        var error = Assert.Throws<KeyNotFoundException>(() => registry["nope"]);

        Assert.Equal("policy: no account policy \"nope\"; the registered policies are \"a\", \"b\"", error.Message);
    }

    [Fact]
    public void Indexer_ResolverThatKnowsTheName_RegistersWhatItResolvesOnce()
    {
        var calls = 0;
        var registry = new AccountPolicyRegistry(new Dictionary<string, AccountPolicy>(), name =>
        {
            calls++;
            return name == "inline" ? Gateway : null;
        });

        Assert.Same(Gateway, registry["inline"]);
        Assert.Same(Gateway, registry["inline"]);
        Assert.Equal(1, calls);
        Assert.Equal(["inline"], registry.Names);
    }

    [Fact]
    public void Indexer_ResolverThatKnowsNothing_SaysSoAndThatNoneIsRegistered()
    {
        var registry = new AccountPolicyRegistry(new Dictionary<string, AccountPolicy>(), _ => null);

        var error = Assert.Throws<KeyNotFoundException>(() => registry["nope"]);

        Assert.Equal("policy: no account policy \"nope\" and the resolver names none; the registered policies are none", error.Message);
    }
}
