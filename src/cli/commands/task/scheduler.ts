/**
 * `good-redis scheduler <module>` (also `good-redis task scheduler`): fire the schedules of the
 * task brokers a module exports until SIGINT or SIGTERM (which let the tick in flight finish).
 *
 * @module
 */
import { Command, Option, type CommandUnknownOpts } from '@commander-js/extra-typings';
import { parseDuration } from '../../cli-support.js';
import type { CliContext } from '../../context.js';
import { LOG_FORMATS } from '../../expirer-daemon.js';
import { runSchedulerDaemon } from '../../task-daemons.js';
import { runOverBrokers } from './worker.js';

/** Builds `good-redis scheduler`. */
export function schedulerCommand(ctx: CliContext): CommandUnknownOpts {
  return new Command('scheduler')
    .description('fire the schedules of the task brokers a module exports until SIGINT or SIGTERM (which let the tick in flight finish)')
    .argument('<module>', 'the module (a path) whose exported brokers to schedule for; --url sets REDIS_URL before it is imported')
    .option('--broker <export>', 'only this exported broker')
    .addOption(new Option('--tick <duration>', 'pause between the end of a tick and the next').argParser(parseDuration('--tick')).default(1000, '1s'))
    .addOption(new Option('--log-format <format>', 'JSON lines, or text lines').choices(LOG_FORMATS).default('json'))
    .action((modulePath, options, command) =>
      runOverBrokers(ctx, command, modulePath, options, (brokers, log, stop) =>
        runSchedulerDaemon(brokers, { tickMs: Math.max(1, options.tick), about: { module: modulePath } }, log, stop),
      ),
    );
}
