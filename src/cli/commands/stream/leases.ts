/**
 * `good-redis leases`: list the leased jobs, the soonest deadline first, with who holds each.
 *
 * @module
 */
import { Command, Option, type CommandUnknownOpts } from '@commander-js/extra-typings';
import { parseCount, printJson, println } from '../../cli-support.js';
import { checkName, jsonOption, type CliContext } from '../../context.js';
import { quoted, table } from '../../format.js';
import { formatDue, knownStream } from './shared.js';

/** Builds `good-redis leases`. */
export function leasesCommand(ctx: CliContext): CommandUnknownOpts {
  const { io } = ctx;
  return new Command('leases')
    .description('list the leased jobs, the soonest deadline first, with who holds each')
    .argument('<name>', 'the stream', checkName)
    .addOption(new Option('-n, --limit <n>', 'how many to show').argParser(parseCount('--limit', 1, 10_000)).default(20))
    .addOption(jsonOption())
    .action(async (name, options, command) => {
      await ctx.session(command, false, async ({ registry }) => {
        const { stream } = await knownStream(registry, name);
        const [leases, stats] = await Promise.all([stream.leases({ limit: options.limit }), stream.stats()]);
        if (options.json === true) {
          printJson(io.stdout, { name, total: stats.leased, leases: leases.map((l) => ({ ...l, endsInMs: l.deadline - stats.now })) });
          return;
        }
        println(io.stdout, `Leases of ${quoted(name)}: ${String(leases.length)} of ${String(stats.leased)}, the soonest deadline first`);
        if (leases.length === 0) return;
        const rows = leases.map((l) => [l.key, String(l.attempt), l.owner ?? '-', formatDue(l.deadline - stats.now)]);
        for (const line of table([{ title: 'KEY' }, { title: 'ATTEMPT', right: true }, { title: 'OWNER' }, { title: 'ENDS' }], rows)) println(io.stdout, line);
      });
    });
}
