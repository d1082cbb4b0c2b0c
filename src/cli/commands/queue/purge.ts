/**
 * `good-redis queue purge`: delete a queue or pool and everything it holds.
 *
 * @module
 */
import { Command, type CommandUnknownOpts } from '@commander-js/extra-typings';
import { CliError, printJson, println, usage } from '../../cli-support.js';
import { checkName, confirm, jsonOption, type CliContext } from '../../context.js';
import { quoted } from '../../format.js';
import { knownQueue, queueRegistryOf } from './shared.js';

/** Builds `good-redis queue purge`. */
export function purgeCommand(ctx: CliContext): CommandUnknownOpts {
  const { io } = ctx;
  return new Command('purge')
    .description('delete a queue or pool and everything it holds, held deliveries included (asks first on a terminal)')
    .argument('<name>', 'the queue or pool', checkName)
    .option('-y, --yes', 'do not ask')
    .addOption(jsonOption())
    .action(async (name, options, command) => {
      await ctx.session(command, false, async (session) => {
        const registry = queueRegistryOf(session);
        const kind = await knownQueue(registry, name);
        if (options.yes !== true) {
          if (io.stdin.isTTY !== true) throw usage(`refusing to purge ${quoted(name)} without --yes: there is no terminal to ask on`);
          if (!(await confirm(io, `Purge ${kind} ${quoted(name)} and everything it holds? This cannot be undone. [y/N] `)))
            throw new CliError(`${quoted(name)} was not purged`);
        }
        const deleted = await (kind === 'pool' ? registry.pool(name) : registry.reliableQueue(name, kind)).delete();
        if (options.json === true) printJson(io.stdout, { deleted });
        else println(io.stdout, `purged ${quoted(name)}`);
      });
    });
}
