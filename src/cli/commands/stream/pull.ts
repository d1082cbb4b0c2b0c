/**
 * `good-redis pull`: take the highest-priority items out of a stream and print them.
 *
 * @module
 */
import { Command, Option, type CommandUnknownOpts } from '@commander-js/extra-typings';
import { MAX_PULL_COUNT } from '../../../prioritized/types.js';
import { parseCount, parseDuration, parseNumber, printJson, println, usage } from '../../cli-support.js';
import { checkName, jsonOption, type CliContext } from '../../context.js';
import { quoted } from '../../format.js';
import { itemTable, knownStream } from './shared.js';

/** Builds `good-redis pull`. */
export function pullCommand(ctx: CliContext): CommandUnknownOpts {
  const { io } = ctx;
  return new Command('pull')
    .description('take the highest-priority items out of a stream and print them')
    .argument('<name>', 'the stream', checkName)
    .addOption(
      new Option('-n, --count <n>', `how many items at most (1 to ${String(MAX_PULL_COUNT)})`).argParser(parseCount('--count', 1, MAX_PULL_COUNT)).default(1),
    )
    .option('--no-purge', 'keep the items, with their priority lowered by --decrease-by')
    .option('--gate', 'gate the pulled keys so they can never be added again (not with --no-purge)')
    .addOption(
      new Option('--cooldown <duration>', 'cooldown of the pulled keys, e.g. 30s, 10m, 2h; 0 for none (default: 24h)').argParser(parseDuration('--cooldown')),
    )
    .addOption(new Option('--decrease-by <n>', 'with --no-purge, how much each priority is lowered').argParser(parseNumber('--decrease-by')).default(1))
    .addOption(jsonOption())
    .action(async (name, options, command) => {
      if (options.gate === true && !options.purge) throw usage('--gate needs the items to leave the stream: drop --no-purge');
      await ctx.session(command, false, async ({ registry }) => {
        const { stream } = await knownStream(registry, name);
        const items = await stream.pull({
          count: options.count,
          purge: options.purge,
          gate: options.gate === true,
          decreaseBy: options.decreaseBy,
          ...(options.cooldown === undefined ? {} : { cooldownMs: options.cooldown }),
        });
        if (options.json === true) {
          printJson(io.stdout, { items });
          return;
        }
        if (items.length === 0) {
          println(io.stderr, `${quoted(name)} is empty: nothing pulled`);
          return;
        }
        for (const line of itemTable(items, Number.MAX_SAFE_INTEGER)) println(io.stdout, line);
      });
    });
}
