/**
 * `good-redis top`: a live view of every object of every family: counts, add and completion
 * rates (Ctrl-C quits).
 *
 * @module
 */
import { Command, Option, type CommandUnknownOpts } from '@commander-js/extra-typings';
import { parseCount, parseDuration, usage } from '../../cli-support.js';
import { untilSignal, type CliContext } from '../../context.js';
import { runTop } from '../../top.js';
import { ObjectInventory } from '../../../overview/inventory.js';
import { WorkerRegistry } from '../../../observe/worker-registry.js';

/** Builds `good-redis top`. */
export function topCommand(ctx: CliContext): CommandUnknownOpts {
  const { io } = ctx;
  return new Command('top')
    .description("a live view of every object of every family, as the dashboard's overview: counts, adds and completions per second (Ctrl-C quits)")
    .addOption(new Option('--interval <duration>', 'time between refreshes').argParser(parseDuration('--interval')).default(2000, '2s'))
    .addOption(new Option('-n, --iterations <n>', 'stop after this many refreshes').argParser(parseCount('--iterations')))
    .addOption(new Option('--json', 'print one JSON object per refresh instead of a table'))
    .action(async (options, command) => {
      if (options.interval < 100) throw usage('--interval must be at least 100ms');
      await untilSignal((stop) =>
        ctx.session(command, true, async ({ client, prefix, target }) => {
          await runTop(
            client,
            new ObjectInventory(client, { prefix }),
            new WorkerRegistry(client, { prefix }),
            { intervalMs: options.interval, iterations: options.iterations, json: options.json === true, target: target.description },
            io.stdout,
            stop,
          );
        }),
      );
    });
}
