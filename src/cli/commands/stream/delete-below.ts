/**
 * `good-redis delete-below`: remove every queued item whose priority is below a threshold.
 *
 * @module
 */
import { Command, type CommandUnknownOpts } from '@commander-js/extra-typings';
import { parseNumber, printJson, println } from '../../cli-support.js';
import { checkName, jsonOption, type CliContext } from '../../context.js';
import { formatPriority, quoted } from '../../format.js';
import { knownStream } from './shared.js';

/** Builds `good-redis delete-below`. */
export function deleteBelowCommand(ctx: CliContext): CommandUnknownOpts {
  const { io } = ctx;
  return new Command('delete-below')
    .description('remove every queued item whose priority is below a threshold')
    .argument('<name>', 'the stream', checkName)
    .argument('<threshold>', 'a finite number; items strictly below it go', parseNumber('threshold'))
    .option('--gate', 'also gate the removed keys')
    .addOption(jsonOption())
    .action(async (name, threshold, options, command) => {
      await ctx.session(command, false, async ({ registry }) => {
        const keys = await (await knownStream(registry, name)).stream.deleteBelow(threshold, { gate: options.gate === true });
        if (options.json === true) printJson(io.stdout, { removed: keys.length, keys });
        else
          println(
            io.stdout,
            `removed ${String(keys.length)} item(s) below ${formatPriority(threshold)} from ${quoted(name)}${options.gate === true ? ' and gated their keys' : ''}`,
          );
      });
    });
}
