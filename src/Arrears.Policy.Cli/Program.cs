using Arrears.Policy.Cli;

return await ArrearsCli.RunAsync(args, Console.Out, Console.Error, Console.In).ConfigureAwait(false);
