/**
 * `good-redis expire`: sweep once: end due cooldowns, return expired leases, bring back due delayed jobs.
 *
 * @module
 */
import { Command, Option, type CommandUnknownOpts } from '@commander-js/extra-typings';
import { Expirer } from '../../../overview/expirer.js';
import { ExitCode, formatDuration, parseCount, printJson, println } from '../../cli-support.js';
import { checkName, jsonOption, type CliContext } from '../../context.js';
import { knownStream } from './shared.js';

/** Builds `good-redis expire`. */
export function expireCommand(ctx: CliContext): CommandUnknownOpts {
  const { io, outcome } = ctx;
  return new Command('expire')
    .description('sweep once: end due cooldowns, return expired leases, bring back due delayed jobs')
    .argument('[name]', 'sweep only this stream; default: every registered stream', checkName)
    .addOption(new Option('--batch <n>', 'cooldowns per atomic script').argParser(parseCount('--batch', 1, 10_000)).default(1000))
    .addOption(jsonOption())
    .action(async (name, options, command) => {
      await ctx.session(command, false, async ({ registry }) => {
        const started = performance.now();
        let result: { streams: number; expired: number; returned: number; deadLettered: number; promoted: number; failed: number };
        if (name === undefined) {
          const expirer = new Expirer(registry, { batchSize: options.batch });
          expirer.on('error', (err, stream) => {
            println(io.stderr, `good-redis: sweeping ${stream === undefined ? 'the registry' : JSON.stringify(stream)} failed: ${err.message}`);
          });
          const { streams, expired, returned, deadLettered, promoted, failed } = await expirer.sweepOnce();
          result = { streams, expired, returned, deadLettered, promoted, failed };
        } else {
          const { stream } = await knownStream(registry, name, options.batch);
          const expired = await stream.expire();
          const recovered = await stream.recover();
          result = { streams: 1, expired, returned: recovered.returned, deadLettered: recovered.died, promoted: recovered.promoted, failed: 0 };
        }
        const durationMs = Math.round(performance.now() - started);
        if (options.json === true) printJson(io.stdout, { ...result, durationMs });
        else {
          println(
            io.stdout,
            `swept ${String(result.streams)} stream(s) in ${formatDuration(durationMs)}: ${String(result.expired)} cooldown(s) ended, ${String(result.returned)} expired lease(s) returned, ${String(result.deadLettered)} dead-lettered, ${String(result.promoted)} delayed job(s) back${result.failed > 0 ? `; ${String(result.failed)} stream(s) failed` : ''}`,
          );
        }
        if (result.failed > 0) outcome.code = ExitCode.Failure;
      });
    });
}
