using Arrears.Policy.PropertyTesting;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using NodaTime;

namespace Arrears.Policy.Tests.Ledgers;

using Ledger = Arrears.Policy.Ledger;

public sealed class LedgerPropertyTests
{
    private static readonly Currency Usd = Currency.FromCode("USD");

    private static Gen<(LedgerEntry[] Entries, LedgerEntry[] Shuffled)> EntriesAndShuffle =>
        Generators.LedgerEntries(Usd).SelectMany(entries => Gen.Shuffle(entries).Select(shuffled => (entries, shuffled)));

    [Property(MaxTest = 1000)]
    public Property BalanceAt_AnyAppendOrder_IsTheSame() =>
        Prop.ForAll(
            EntriesAndShuffle.ToArbitrary(),
            pair =>
            {
                var inOrder = new Ledger(Usd);
                foreach (var entry in pair.Entries)
                {
                    inOrder.Append(entry);
                }

                var shuffled = new Ledger(Usd);
                shuffled.Append(pair.Shuffled);

                return pair.Entries.All(entry =>
                    ProbeInstants(entry.At).All(at => inOrder.BalanceAt(at) == shuffled.BalanceAt(at)))
                    && inOrder.BalanceSteps().SequenceEqual(shuffled.BalanceSteps());
            });

    [Property(MaxTest = 1000)]
    public Property BalanceAt_AnyInstant_IsOpeningPlusCreditsMinusDebitsUpToIt() =>
        Prop.ForAll(
            Generators.LedgerEntries(Usd).ToArbitrary(),
            Generators.Instants.ToArbitrary(),
            (entries, probe) =>
            {
                var ledger = new Ledger(Usd, 3m);
                ledger.Append(entries);
                var instants = entries.SelectMany(entry => ProbeInstants(entry.At)).Append(probe);
                return instants.All(at =>
                    ledger.BalanceAt(at) == 3m + entries.Where(entry => entry.At <= at).Sum(entry => entry.SignedAmount));
            });

    [Property(MaxTest = 1000)]
    public Property BalanceAtAndNextEntry_AnyAppendOrder_AnswersAsBalanceAtAndTryGetNextEntryInstant() =>
        Prop.ForAll(
            EntriesAndShuffle.ToArbitrary(),
            Generators.Instants.ToArbitrary(),
            (pair, probe) =>
            {
                // The idle path's combined question reads a cached newest instant and closing balance; appends in any
                // order, one by one or as a batch, keep them right.
                var oneByOne = new Ledger(Usd, 7m);
                foreach (var entry in pair.Shuffled)
                {
                    oneByOne.Append(entry);
                }

                var batch = new Ledger(Usd, 7m);
                batch.Append(pair.Shuffled);
                var instants = pair.Entries.SelectMany(entry => ProbeInstants(entry.At)).Append(probe);
                return new[] { oneByOne, batch }.All(ledger => instants.All(at =>
                {
                    var hasNext = ledger.BalanceAtAndNextEntry(at, out var balance, out var next);
                    var expectedHasNext = ledger.TryGetNextEntryInstant(at, out var expectedNext);
                    return balance == ledger.BalanceAt(at)
                        && balance == 7m + pair.Entries.Where(entry => entry.At <= at).Sum(entry => entry.SignedAmount)
                        && hasNext == expectedHasNext && (!hasNext || next == expectedNext);
                }));
            });

    [Property(MaxTest = 1000)]
    public Property Append_ReplayOfAnyPrefix_ChangesNothing() =>
        Prop.ForAll(
            Generators.LedgerEntries(Usd).SelectMany(entries => Gen.Choose(0, entries.Length).Select(prefix => (entries, prefix))).ToArbitrary(),
            pair =>
            {
                var (entries, prefix) = pair;
                var ledger = new Ledger(Usd);
                ledger.Append(entries);
                var stepsBefore = ledger.BalanceSteps().ToArray();
                var entriesBefore = ledger.Entries.ToArray();

                var result = ledger.Append(entries.Take(prefix));

                return result == new AppendResult(0, prefix)
                    && ledger.BalanceSteps().SequenceEqual(stepsBefore)
                    && ledger.Entries.SequenceEqual(entriesBefore);
            });

    private static IEnumerable<Instant> ProbeInstants(Instant at) => [at - Duration.Epsilon, at, at + Duration.Epsilon];
}
