using Arrears.Policy.Cli;

var stdin = Console.OpenStandardInput();
await using (stdin.ConfigureAwait(false))
{
    return await ArrearsCli.RunAsync(args, StandardOutput.Open(), Console.Error, stdin).ConfigureAwait(false);
}
