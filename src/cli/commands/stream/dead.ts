/**
 * `good-redis dead`: list a stream's dead letters, oldest first, with their last error.
 *
 * @module
 */
import { Command, Option, type CommandUnknownOpts } from '@commander-js/extra-typings';
import { parseCount, printJson, println } from '../../cli-support.js';
import { checkName, jsonOption, type CliContext } from '../../context.js';
import { quoted } from '../../format.js';
import { deadJson, deadTable, knownStream } from './shared.js';

/** Builds `good-redis dead`. */
export function deadCommand(ctx: CliContext): CommandUnknownOpts {
  const { io } = ctx;
  return new Command('dead')
    .description("list a stream's dead letters, oldest first, with their last error")
    .argument('<name>', 'the stream', checkName)
    .addOption(new Option('-n, --limit <n>', 'how many to show').argParser(parseCount('--limit', 1, 10_000)).default(20))
    .addOption(new Option('--offset <n>', 'skip this many first').argParser(parseCount('--offset', 0, Number.MAX_SAFE_INTEGER)).default(0))
    .addOption(new Option('--width <n>', 'shorten values and errors to this many characters').argParser(parseCount('--width', 8, 10_000)).default(60))
    .addOption(jsonOption())
    .action(async (name, options, command) => {
      await ctx.session(command, false, async ({ registry }) => {
        const { stream } = await knownStream(registry, name);
        const [dead, stats] = await Promise.all([stream.deadLetters({ offset: options.offset, limit: options.limit }), stream.stats()]);
        if (options.json === true) {
          printJson(io.stdout, { name, total: stats.dead, dead: dead.map(deadJson) });
          return;
        }
        println(io.stdout, `Dead letters of ${quoted(name)}: ${String(dead.length)} of ${String(stats.dead)}, oldest first`);
        if (dead.length > 0) for (const line of deadTable(dead, stats.now, options.width)) println(io.stdout, line);
      });
    });
}
