/**
 * `good-redis increment`: add to the priority of a queued item (exit code 3 when it is not queued).
 *
 * @module
 */
import { Command, type CommandUnknownOpts } from '@commander-js/extra-typings';
import { ExitCode, parseNumber, printJson, println } from '../../cli-support.js';
import { checkKey, checkName, jsonOption, type CliContext } from '../../context.js';
import { formatPriority, quoted } from '../../format.js';
import { knownStream } from './shared.js';

/** Builds `good-redis increment`. */
export function incrementCommand(ctx: CliContext): CommandUnknownOpts {
  const { io, outcome } = ctx;
  return new Command('increment')
    .description('add to the priority of a queued item (exit code 3 when it is not queued)')
    .argument('<name>', 'the stream', checkName)
    .argument('<key>', 'the item key', checkKey)
    .argument('[by]', 'a finite number, negative to lower it', parseNumber('by'), 1)
    .addOption(jsonOption())
    .action(async (name, key, by, options, command) => {
      await ctx.session(command, false, async ({ registry }) => {
        const priority = await (await knownStream(registry, name)).stream.increment(key, by);
        if (options.json === true) printJson(io.stdout, { key, priority });
        if (priority === null) {
          if (options.json !== true) println(io.stderr, `good-redis: ${quoted(key)} is not queued in ${quoted(name)}`);
          outcome.code = ExitCode.Partial;
        } else if (options.json !== true) {
          println(io.stdout, `${quoted(key)} now has priority ${formatPriority(priority)}`);
        }
      });
    });
}
