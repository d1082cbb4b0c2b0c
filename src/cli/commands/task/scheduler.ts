/**
 * `good-redis scheduler <module>` (also `good-redis task scheduler`): fire the schedules of the
 * task brokers a module exports until SIGINT or SIGTERM (which let the tick in flight finish).
 *
 * @module
 */
import { Command, Option, type CommandUnknownOpts } from '@commander-js/extra-typings';
import { parseDuration } from '../../cli-support.js';
import { untilSignal, type CliContext } from '../../context.js';
import { LOG_FORMATS, Logger } from '../../expirer-daemon.js';
import { brokersOf, runSchedulerDaemon } from '../../task-daemons.js';
import { urlToEnvironment } from './worker.js';

/** Builds `good-redis scheduler`. */
export function schedulerCommand(ctx: CliContext): CommandUnknownOpts {
  const { io } = ctx;
  return new Command('scheduler')
    .description('fire the schedules of the task brokers a module exports until SIGINT or SIGTERM (which let the tick in flight finish)')
    .argument('<module>', 'the module (a path) whose exported brokers to schedule for; --url sets REDIS_URL before it is imported')
    .option('--broker <export>', 'only this exported broker')
    .addOption(new Option('--tick <duration>', 'pause between the end of a tick and the next').argParser(parseDuration('--tick')).default(1000, '1s'))
    .addOption(new Option('--log-format <format>', 'JSON lines, or text lines').choices(LOG_FORMATS).default('json'))
    .action(async (modulePath, options, command) => {
      urlToEnvironment(command, io.env);
      const log = new Logger(io.stdout, options.logFormat, false);
      const brokers = await brokersOf(modulePath, options.broker);
      await untilSignal(async (stop) => {
        await runSchedulerDaemon(brokers, { tickMs: Math.max(1, options.tick), about: { module: modulePath } }, log, stop);
      });
    });
}
