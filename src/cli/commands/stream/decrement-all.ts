/**
 * `good-redis decrement-all`: lower the priority of every queued item, in O(1).
 *
 * @module
 */
import { Command, type CommandUnknownOpts } from '@commander-js/extra-typings';
import { parseNumber, printJson, println } from '../../cli-support.js';
import { checkName, jsonOption, type CliContext } from '../../context.js';
import { formatPriority, quoted } from '../../format.js';
import { knownStream } from './shared.js';

/** Builds `good-redis decrement-all`. */
export function decrementAllCommand(ctx: CliContext): CommandUnknownOpts {
  const { io } = ctx;
  return new Command('decrement-all')
    .description('lower the priority of every queued item, in O(1)')
    .argument('<name>', 'the stream', checkName)
    .argument('[by]', 'a finite number', parseNumber('by'), 1)
    .addOption(jsonOption())
    .action(async (name, by, options, command) => {
      await ctx.session(command, false, async ({ registry }) => {
        const affected = await (await knownStream(registry, name)).stream.decrementAll(by);
        if (options.json === true) printJson(io.stdout, { affected, by });
        else println(io.stdout, `lowered the priority of ${String(affected)} item(s) in ${quoted(name)} by ${formatPriority(by)}`);
      });
    });
}
