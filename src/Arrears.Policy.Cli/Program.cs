using Arrears.Policy.Cli;
using NodaTime;

#pragma warning disable RS0030 // The tool's one reading of the system clock: "now" for `evaluate` without --as-of; tests pass their own clock.
var host = new CliHost(SystemClock.Instance);
#pragma warning restore RS0030

var stdin = Console.OpenStandardInput();
await using (stdin.ConfigureAwait(false))
{
    return await ArrearsCli.RunAsync(args, StandardOutput.Open(), Console.Error, stdin, CliConsole.Detect(), host).ConfigureAwait(false);
}
