/**
 * `good-redis worker <module>` (also `good-redis task worker`): run the task brokers a module
 * exports until SIGINT or SIGTERM (which let the tasks in flight finish).
 *
 * @module
 */
import { Command, Option, type CommandUnknownOpts } from '@commander-js/extra-typings';
import { parseCount, parseDuration } from '../../cli-support.js';
import { untilSignal, type CliContext } from '../../context.js';
import { LOG_FORMATS, Logger, type LogFormat } from '../../expirer-daemon.js';
import { brokersOf, runTaskWorkerDaemon } from '../../task-daemons.js';

/** Puts `--url` in `REDIS_URL` (of the CLI's environment and the process's): a task module opens its own connections, from the environment. */
export function urlToEnvironment(command: { optsWithGlobals: () => object }, env: NodeJS.ProcessEnv): void {
  const { url } = command.optsWithGlobals() as { url?: string };
  if (url === undefined) return;
  env.REDIS_URL = url;
  process.env.REDIS_URL = url;
}

/**
 * What `good-redis worker` and `good-redis scheduler` do around their daemon: `--url` into the
 * environment, the logger, the module's brokers, and the daemon run until SIGINT or SIGTERM.
 *
 * @param ctx - the CLI's context
 * @param command - the command (for its global options)
 * @param modulePath - the module whose exported brokers to run
 * @param options - `--broker` and `--log-format`
 * @param daemon - runs the daemon over the brokers until `stop` aborts
 */
export async function runOverBrokers(
  { io }: CliContext,
  command: { optsWithGlobals: () => object },
  modulePath: string,
  options: { broker?: string | undefined; logFormat: LogFormat },
  daemon: (brokers: Awaited<ReturnType<typeof brokersOf>>, log: Logger, stop: AbortSignal) => Promise<unknown>,
): Promise<void> {
  urlToEnvironment(command, io.env);
  const log = new Logger(io.stdout, options.logFormat, false);
  const brokers = await brokersOf(modulePath, options.broker);
  await untilSignal(async (stop) => {
    await daemon(brokers, log, stop);
  });
}

/** Builds `good-redis worker`. */
export function workerCommand(ctx: CliContext): CommandUnknownOpts {
  return new Command('worker')
    .description('run the task brokers a module exports until SIGINT or SIGTERM (which let the tasks in flight finish)')
    .argument('<module>', 'the module (a path) whose exported brokers to run; --url sets REDIS_URL before it is imported')
    .option('--broker <export>', 'run only this exported broker')
    .addOption(new Option('--concurrency <n>', 'tasks at once, per broker').argParser(parseCount('--concurrency', 1, 10_000)).default(1))
    .addOption(new Option('--lease <duration>', "each task's lease, renewed while it runs").argParser(parseDuration('--lease')).default(30_000, '30s'))
    .addOption(new Option('--log-format <format>', 'JSON lines, or text lines').choices(LOG_FORMATS).default('json'))
    .action((modulePath, options, command) =>
      runOverBrokers(ctx, command, modulePath, options, (brokers, log, stop) =>
        runTaskWorkerDaemon(brokers, { concurrency: options.concurrency, leaseMs: Math.max(1, options.lease), about: { module: modulePath } }, log, stop),
      ),
    );
}
