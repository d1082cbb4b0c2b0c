/**
 * `good-redis expirer`: run the sweeper until SIGINT or SIGTERM (which let the sweep in flight finish).
 *
 * @module
 */
import { Command, Option, type CommandUnknownOpts } from '@commander-js/extra-typings';
import { parseCount, parseDuration, usage } from '../../cli-support.js';
import { untilSignal, type CliContext } from '../../context.js';
import { LOG_FORMATS, Logger, runExpirerDaemon } from '../../expirer-daemon.js';

/** Builds `good-redis expirer`. */
export function expirerCommand(ctx: CliContext): CommandUnknownOpts {
  const { io } = ctx;
  return new Command('expirer')
    .description('run the sweeper until SIGINT or SIGTERM (which let the sweep in flight finish)')
    .addOption(new Option('--interval <duration>', 'pause between the end of a sweep and the next').argParser(parseDuration('--interval')).default(1000, '1s'))
    .addOption(new Option('--batch <n>', 'cooldowns per atomic script').argParser(parseCount('--batch', 1, 10_000)).default(1000))
    .addOption(new Option('--log-format <format>', 'JSON lines, or text lines').choices(LOG_FORMATS).default('json'))
    .option('-v, --verbose', 'also log every sweep that did nothing, and sweep starts')
    .action(async (options, command) => {
      if (options.interval < 1) throw usage('--interval must be at least 1ms');
      const log = new Logger(io.stdout, options.logFormat, options.verbose === true);
      await untilSignal((stop) =>
        ctx.session(
          command,
          true,
          async ({ registry, target, prefix }) => {
            await runExpirerDaemon(
              registry,
              { intervalMs: options.interval, batchSize: options.batch, about: { redis: target.description, prefix } },
              log,
              stop,
            );
          },
          (err) => {
            log.log('warn', 'redis connection error', { error: err.message });
          },
        ),
      );
    });
}
