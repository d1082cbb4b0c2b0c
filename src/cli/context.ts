/**
 * What every `good-redis` command shares: the streams it writes to, its exit code, a session
 * (a connection opened for the command and always closed), and the common options and
 * argument checks.
 *
 * @module
 */
import { createInterface } from 'node:readline/promises';
import { Option } from '@commander-js/extra-typings';
import { closeConnection } from '../connection/connection-options.js';
import type { RedisClient } from '../connection/redis-client.js';
import { StreamRegistry } from '../prioritized/stream-registry.js';
import { registryKey, streamKeys } from '../prioritized/stream-keys.js';
import { usage, type CliIO, type ExitCodeValue } from './cli-support.js';
import { openClient, resolveTarget, type Target } from './connect.js';
import { VALUE_CODECS } from './import.js';

/** The global options every command reads. */
interface Globals {
  url?: string | undefined;
  prefix: string;
}

/** What a command needs while it runs: its connection, registry and target. */
export interface Session {
  client: RedisClient;
  registry: StreamRegistry;
  target: Target;
  prefix: string;
}

/** What each command is built with. */
export interface CliContext {
  /** The streams and environment. */
  readonly io: CliIO;
  /** Receives the exit code of a run that ends without an error (a refused add: 3). */
  readonly outcome: { code: ExitCodeValue };
  /**
   * Connects (the global `--url`, `--prefix`), runs `work`, and always closes the connection.
   *
   * @param command - the running command, for its global options
   * @param longRunning - a daemon or a live view: reconnects forever instead of failing fast
   * @param work - the command's work
   * @param onError - told about connection errors while it runs
   */
  session<R>(command: { optsWithGlobals: () => object }, longRunning: boolean, work: (s: Session) => Promise<R>, onError?: (err: Error) => void): Promise<R>;
}

/**
 * Makes the context the commands of one run share.
 *
 * @param io - the streams and environment
 * @param outcome - receives the exit code
 */
export function cliContext(io: CliIO, outcome: { code: ExitCodeValue }): CliContext {
  return {
    io,
    outcome,
    async session(command, longRunning, work, onError) {
      const globals = command.optsWithGlobals() as Globals;
      registryKey(globals.prefix); // checks the prefix before connecting
      const target = resolveTarget(globals.url, io.env);
      const client = await openClient(target, longRunning, onError);
      try {
        return await work({ client, registry: new StreamRegistry(client, { prefix: globals.prefix }), target, prefix: globals.prefix });
      } finally {
        await closeConnection(client);
      }
    },
  };
}

/** The `--json` option. */
export const jsonOption = (): Option<'--json'> => new Option('--json', 'print JSON');

/** The `--codec` option of the commands that write values. */
export const codecOption = () =>
  new Option('--codec <codec>', 'how values are stored: as given (string), or as JSON text that jsonCodec readers decode (json)')
    .choices(VALUE_CODECS)
    .default('string' as const);

/** Checks a stream name argument: a bad name is a usage error, before connecting. */
export function checkName(name: string): string {
  streamKeys(name);
  return name;
}

/** Checks an item key argument. */
export function checkKey(key: string): string {
  if (key === '') throw usage('key must be a non-empty string');
  return key;
}

/** Asks a yes/no question on the terminal; only `y` or `yes` is a yes. */
export async function confirm(io: CliIO, question: string): Promise<boolean> {
  const rl = createInterface({ input: io.stdin, output: io.stderr, terminal: false });
  try {
    const answer = await rl.question(question);
    return /^\s*y(es)?\s*$/i.test(answer);
  } finally {
    rl.close();
  }
}

/**
 * Runs `work` with an AbortSignal that the first SIGINT or SIGTERM aborts (a second one exits
 * at once), and stops listening for the signals when `work` ends.
 */
export async function untilSignal(work: (stop: AbortSignal) => Promise<void>): Promise<void> {
  const controller = new AbortController();
  const onSignal = (name: NodeJS.Signals): void => {
    if (controller.signal.aborted) process.exit(name === 'SIGINT' ? 130 : 143);
    controller.abort(name);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    await work(controller.signal);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
