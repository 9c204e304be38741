using Arrears.Policy.Cli;
using Microsoft.Extensions.DependencyInjection;
using NodaTime;

// The tool reads no clock of its own: "now" for `evaluate` without --as-of is the default clock that AddArrearsPolicy
// registers for every host (the one place that reads the system clock); tests pass their own clock.
var services = new ServiceCollection();
services.AddArrearsPolicy();
var clock = services.Single(d => d.ServiceType == typeof(IClock)).ImplementationInstance as IClock
    ?? throw new InvalidOperationException("AddArrearsPolicy registered no default IClock instance");
var host = new CliHost(clock);

var stdin = Console.OpenStandardInput();
await using (stdin.ConfigureAwait(false))
{
    return await ArrearsCli.RunAsync(args, StandardOutput.Open(), Console.Error, stdin, CliConsole.Detect(), host).ConfigureAwait(false);
}
