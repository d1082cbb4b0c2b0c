/**
 * `good-redis purge-dead`: delete dead letters and their values (all of them asks first on a terminal).
 *
 * @module
 */
import { Command, type CommandUnknownOpts } from '@commander-js/extra-typings';
import { CliError, ExitCode, printJson, println, usage } from '../../cli-support.js';
import { checkName, confirm, jsonOption, type CliContext } from '../../context.js';
import { quoted } from '../../format.js';
import { deadKeysOrAll, knownStream } from './shared.js';

/** Builds `good-redis purge-dead`. */
export function purgeDeadCommand(ctx: CliContext): CommandUnknownOpts {
  const { io, outcome } = ctx;
  return new Command('purge-dead')
    .description('delete dead letters and their values (all of them asks first on a terminal)')
    .argument('<name>', 'the stream', checkName)
    .argument('[keys...]', 'the dead keys to purge')
    .option('--all', 'purge every dead letter')
    .option('-y, --yes', 'do not ask')
    .addOption(jsonOption())
    .action(async (name, keys, options, command) => {
      const all = deadKeysOrAll(keys, options.all === true);
      await ctx.session(command, false, async ({ registry }) => {
        const { stream } = await knownStream(registry, name);
        if (all && options.yes !== true) {
          if (io.stdin.isTTY !== true) throw usage(`refusing to purge every dead letter of ${quoted(name)} without --yes: there is no terminal to ask on`);
          const { dead } = await stream.stats();
          if (!(await confirm(io, `Purge all ${String(dead)} dead letter(s) of ${quoted(name)}? This cannot be undone. [y/N] `))) {
            throw new CliError('nothing was purged');
          }
        }
        const purged = await stream.purgeDead(all ? undefined : keys);
        if (options.json === true) printJson(io.stdout, { purged });
        else println(io.stdout, `purged ${String(purged.length)} dead letter(s) of ${quoted(name)}`);
        if (!all && purged.length < keys.length) outcome.code = ExitCode.Partial;
      });
    });
}
