/**
 * `good-redis replay`: put dead letters back into the stream at their last priority, attempts reset.
 *
 * @module
 */
import { Command, type CommandUnknownOpts } from '@commander-js/extra-typings';
import { ExitCode, printJson, println } from '../../cli-support.js';
import { checkName, jsonOption, type CliContext } from '../../context.js';
import { quoted } from '../../format.js';
import { deadKeysOrAll, knownStream } from './shared.js';

/** Builds `good-redis replay`. */
export function replayCommand(ctx: CliContext): CommandUnknownOpts {
  const { io, outcome } = ctx;
  return new Command('replay')
    .description('put dead letters back into the stream at their last priority, attempts reset')
    .argument('<name>', 'the stream', checkName)
    .argument('[keys...]', 'the dead keys to replay')
    .option('--all', 'replay every dead letter')
    .addOption(jsonOption())
    .action(async (name, keys, options, command) => {
      const all = deadKeysOrAll(keys, options.all === true);
      await ctx.session(command, false, async ({ registry }) => {
        const { stream } = await knownStream(registry, name);
        const replayed = await stream.replayDead(all ? undefined : keys);
        if (options.json === true) printJson(io.stdout, { replayed });
        else println(io.stdout, `replayed ${String(replayed.length)} dead letter(s) into ${quoted(name)}`);
        if (!all && replayed.length < keys.length) {
          if (options.json !== true)
            println(
              io.stderr,
              `good-redis: not dead letters of ${quoted(name)}: ${keys
                .filter((k) => !replayed.includes(k))
                .map(quoted)
                .join(', ')}`,
            );
          outcome.code = ExitCode.Partial;
        }
      });
    });
}
