/**
 * `good-redis delete`: delete a stream and everything it holds (asks first on a terminal).
 *
 * @module
 */
import { Command, type CommandUnknownOpts } from '@commander-js/extra-typings';
import { CliError, printJson, println, usage } from '../../cli-support.js';
import { checkName, confirm, jsonOption, type CliContext } from '../../context.js';
import { quoted } from '../../format.js';
import { knownStream } from './shared.js';

/** Builds `good-redis delete`. */
export function deleteStreamCommand(ctx: CliContext): CommandUnknownOpts {
  const { io } = ctx;
  return new Command('delete')
    .description('delete a stream and everything it holds (asks first on a terminal)')
    .argument('<name>', 'the stream', checkName)
    .option('-y, --yes', 'do not ask')
    .addOption(jsonOption())
    .action(async (name, options, command) => {
      await ctx.session(command, false, async ({ registry }) => {
        const { stream } = await knownStream(registry, name);
        if (options.yes !== true) {
          if (io.stdin.isTTY !== true) throw usage(`refusing to delete ${quoted(name)} without --yes: there is no terminal to ask on`);
          const s = await stream.stats();
          const question = `Delete stream ${quoted(name)} (${String(s.length)} items, ${String(s.gated)} gated, ${String(s.cooling)} cooling, ${String(s.leased)} leased, ${String(s.dead)} dead)? This cannot be undone. [y/N] `;
          if (!(await confirm(io, question))) throw new CliError(`${quoted(name)} was not deleted`);
        }
        const existed = await stream.delete();
        if (options.json === true) printJson(io.stdout, { deleted: existed });
        else println(io.stdout, `deleted ${quoted(name)}`);
      });
    });
}
