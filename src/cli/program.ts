/**
 * The `good-redis` command line: every command, its options and its output. docs/cli.md shows
 * the same help texts (a test keeps them equal).
 *
 * @module
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createInterface } from 'node:readline/promises';
import { Command, CommanderError, Option } from '@commander-js/extra-typings';
import { closeConnection } from '../connection/connection-options.js';
import type { RedisClient } from '../connection/redis-client.js';
import type { PrioritizedStream } from '../prioritized/prioritized-stream.js';
import { StreamRegistry } from '../prioritized/stream-registry.js';
import { registryKey, streamKeys } from '../prioritized/stream-keys.js';
import { Expirer } from '../prioritized/expirer.js';
import { MAX_PULL_COUNT, type AddMode, type DeadLetter, type KeyState, type RejectReason, type Item, type StreamStats } from '../prioritized/types.js';
import {
  CliError,
  ExitCode,
  describeFailure,
  formatDuration,
  parseCount,
  parseDuration,
  parseNumber,
  printJson,
  println,
  usage,
  type CliIO,
  type ExitCodeValue,
} from './cli-support.js';
import { openClient, resolveTarget, type Target } from './connect.js';
import { LOG_FORMATS, Logger, runExpirerDaemon } from './expirer-daemon.js';
import { escapeControls, formatPriority, quoted, shorten, table } from './format.js';
import { IMPORT_FORMATS, VALUE_CODECS, formatOf, importLines, storedValue, type ImportSummary } from './import.js';
import { ProgressBar } from './progress.js';
import { runTop } from './top.js';

/** The version `good-redis --version` prints (package.json's). */
export const CLI_VERSION = '0.1.0';

const ADD_MODES: readonly AddMode[] = ['sum', 'replace', 'max'];

const REJECTIONS: Readonly<Record<RejectReason, string>> = {
  gated: 'the key is gated (--readd adds it anyway)',
  cooling: 'the key is cooling down (--readd adds it anyway)',
  inFlight: 'the key is leased or delayed; it comes back to the stream by itself',
  dead: 'the key is a dead letter (replay it with `good-redis replay`, or --readd adds it anyway)',
};

/** The global options every command reads. */
interface Globals {
  url?: string | undefined;
  prefix: string;
}

/** What a command needs while it runs: its connection, registry and target. */
interface Session {
  client: RedisClient;
  registry: StreamRegistry;
  target: Target;
  prefix: string;
}

/**
 * Runs `good-redis` with the given arguments.
 *
 * @param argv - the arguments after the program name
 * @param io - the streams and environment to use
 * @returns the exit code
 */
export async function runCli(argv: readonly string[], io: CliIO): Promise<number> {
  const outcome: { code: ExitCodeValue } = { code: ExitCode.Ok };
  const program = buildProgram(io, outcome);
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return outcome.code;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? ExitCode.Ok : ExitCode.Usage;
    const { message, code } = describeFailure(err);
    println(io.stderr, `good-redis: ${message}`);
    return code;
  }
}

/**
 * Builds the command tree. Actions write to `io` and set `outcome.code` when they end in a
 * non-zero code without an error (a refused add, an import with bad lines).
 *
 * @param io - the streams and environment
 * @param outcome - receives the exit code of a run that did not throw
 * @returns the program
 */
export function buildProgram(io: CliIO, outcome: { code: ExitCodeValue }): Command {
  const program = new Command('good-redis')
    .description('Look at and change good-redis prioritized streams; run the expirer daemon.')
    .version(CLI_VERSION, '-V, --version', 'print the version')
    .helpOption('-h, --help', 'show help for a command')
    .addOption(
      new Option('--url <url>', 'Redis URL (redis:// or rediss://); default: REDIS_URL, or REDIS_CLUSTER_NODES, or REDIS_SENTINELS, or localhost:6379'),
    )
    .addOption(new Option('--prefix <prefix>', 'key prefix of the registry and the streams').env('GOOD_REDIS_PREFIX').default(''))
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
      getOutHelpWidth: () => 80,
      getErrHelpWidth: () => 80,
      outputError: (text, write) => {
        // One line: commander puts its "(Did you mean …?)" on a line of its own.
        write(
          `good-redis: ${text
            .replace(/^error: /, '')
            .trimEnd()
            .replace(/\n+/g, ' ')}\n`,
        );
      },
    })
    .configureHelp({
      showGlobalOptions: true,
      subcommandTerm: (cmd) => [cmd.name(), ...cmd.registeredArguments.map((a) => (a.required ? `<${a.name()}>` : `[${a.name()}]`))].join(' '),
    })
    .exitOverride()
    .showSuggestionAfterError(true)
    .addHelpText('after', '\nExit codes: 0 done, 1 failed, 2 bad usage, 3 done in part (refused, not queued, bad lines).\nDocs: docs/cli.md');
  program.helpCommand(false);

  /** Connects, runs `work`, and always closes the connection. */
  const session = async <R>(
    command: { optsWithGlobals: () => object },
    longRunning: boolean,
    work: (s: Session) => Promise<R>,
    onError?: (err: Error) => void,
  ): Promise<R> => {
    const globals = command.optsWithGlobals() as Globals;
    registryKey(globals.prefix); // checks the prefix before connecting
    const target = resolveTarget(globals.url, io.env);
    const client = await openClient(target, longRunning, onError);
    try {
      return await work({ client, registry: new StreamRegistry(client, { prefix: globals.prefix }), target, prefix: globals.prefix });
    } finally {
      await closeConnection(client);
    }
  };

  const json = (): Option<'--json'> => new Option('--json', 'print JSON');
  const checkName = (name: string): string => {
    streamKeys(name); // a bad name is a usage error, before connecting
    return name;
  };
  const checkKey = (key: string): string => {
    if (key === '') throw usage('key must be a non-empty string');
    return key;
  };
  const codecOption = () =>
    new Option('--codec <codec>', 'how values are stored: as given (string), or as JSON text that jsonCodec readers decode (json)')
      .choices(VALUE_CODECS)
      .default('string' as const);

  program
    .command('streams')
    .description('list every registered stream with its counts')
    .addOption(json())
    .action(async (options, command) => {
      await session(command, false, async ({ registry, prefix }) => {
        const streams = await Promise.all((await registry.names()).map(async (name) => ({ name, stats: await registry.stream(name).stats() })));
        if (options.json === true) {
          printJson(io.stdout, { prefix, streams: streams.map(({ name, stats }) => ({ name, ...countsOf(stats) })) });
          return;
        }
        if (streams.length === 0) {
          println(io.stdout, `No registered streams${prefix === '' ? '' : ` under prefix ${JSON.stringify(prefix)}`}.`);
          return;
        }
        const columns = [{ title: 'NAME' }, ...['LENGTH', 'GATED', 'COOLING', 'LEASED', 'DELAYED', 'DEAD'].map((title) => ({ title, right: true }))];
        const rows = streams.map(({ name, stats: s }) => [name, ...[s.length, s.gated, s.cooling, s.leased, s.delayed, s.dead].map(String)]);
        for (const line of table(columns, rows)) println(io.stdout, line);
      });
    });

  /**
   * Defines the commands that act on one stream on `parent`: the `stream` group, and the
   * program itself, where they stay as the short forms (`good-redis add` is `good-redis stream add`).
   */
  const defineStreamCommands = (parent: Command): void => {
    parent
      .command('inspect')
      .description('show a stream: its counts, top items and the cooldowns that end soonest')
      .argument('<name>', 'the stream', checkName)
      .addOption(new Option('--top <n>', 'how many items to show').argParser(parseCount('--top', 0, 1000)).default(10))
      .addOption(new Option('--cooldowns <n>', 'how many cooldowns to show').argParser(parseCount('--cooldowns', 0, 1000)).default(10))
      .addOption(new Option('--delayed <n>', 'how many delayed jobs to show, due soonest').argParser(parseCount('--delayed', 0, 1000)).default(5))
      .addOption(new Option('--dead <n>', 'how many dead letters to show, oldest first').argParser(parseCount('--dead', 0, 1000)).default(5))
      .addOption(new Option('--width <n>', 'shorten values to this many characters').argParser(parseCount('--width', 8, 10_000)).default(60))
      .addOption(json())
      .action(async (name, options, command) => {
        await session(command, false, async ({ registry }) => {
          const { stream, registered } = await knownStream(registry, name);
          const [stats, top, cooldowns, delayed, dead] = await Promise.all([
            stream.stats(),
            stream.entries({ limit: options.top }),
            stream.cooldowns({ limit: options.cooldowns }),
            stream.delayed({ limit: options.delayed }),
            stream.deadLetters({ limit: options.dead }),
          ]);
          if (options.json === true) {
            printJson(io.stdout, {
              name,
              registered,
              now: stats.now,
              stats: countsOf(stats),
              top,
              cooldowns: cooldowns.map((c) => ({ ...c, endsInMs: c.until - stats.now })),
              delayed: delayed.map((d) => ({ ...d, dueInMs: d.due - stats.now })),
              dead: dead.map(deadJson),
            });
            return;
          }
          const out = (line = ''): void => {
            println(io.stdout, line);
          };
          out(`Stream ${quoted(name)}${registered ? '' : ' (not registered, but it holds data)'}`);
          out(
            `  length ${String(stats.length)}  gated ${String(stats.gated)}  cooling ${String(stats.cooling)}  due for sweep ${String(stats.cooldownsDue)}  leased ${String(stats.leased)}  delayed ${String(stats.delayed)}  dead ${String(stats.dead)}`,
          );
          out(`  added ${String(stats.added)}  pulled ${String(stats.pulled)}  (counters reset after 24 h without adds or pulls)`);
          out();
          if (options.top > 0) {
            out(`Top ${String(top.length)} of ${String(stats.length)} item(s)`);
            if (top.length > 0) {
              for (const line of itemTable(top, options.width, '  ')) out(line);
            }
            out();
          }
          if (options.cooldowns > 0) {
            out(`Cooldowns ending soonest (${String(cooldowns.length)} of ${String(stats.cooling + stats.cooldownsDue)})`);
            if (cooldowns.length > 0) {
              const rows = cooldowns.map((c) => {
                const inMs = c.until - stats.now;
                return [c.key, inMs > 0 ? `in ${formatDuration(inMs)}` : `ended ${formatDuration(-inMs)} ago, due for sweep`, new Date(c.until).toISOString()];
              });
              for (const line of table([{ title: 'KEY' }, { title: 'ENDS' }, { title: 'AT' }], rows, '  ')) out(line);
            }
            out();
          }
          if (options.delayed > 0) {
            out(`Delayed, due soonest (${String(delayed.length)} of ${String(stats.delayed)})`);
            if (delayed.length > 0) {
              const rows = delayed.map((d) => [formatPriority(d.priority), d.key, formatDue(d.due - stats.now), String(d.attempts)]);
              for (const line of table(
                [{ title: 'PRIORITY', right: true }, { title: 'KEY' }, { title: 'DUE' }, { title: 'ATTEMPTS', right: true }],
                rows,
                '  ',
              ))
                out(line);
            }
            out();
          }
          if (options.dead > 0) {
            out(`Dead letters, oldest first (${String(dead.length)} of ${String(stats.dead)})`);
            if (dead.length > 0) for (const line of deadTable(dead, stats.now, options.width, '  ')) out(line);
          }
        });
      });

    parent
      .command('add')
      .description('add one item (exit code 3 when the key is gated, cooling down, dead or in flight)')
      .argument('<name>', 'the stream (created if new)', checkName)
      .argument('<key>', 'the item key', checkKey)
      .argument('<value>', 'the value: a string, or JSON with --codec json')
      .addOption(new Option('-p, --priority <p>', 'a finite number; higher is pulled first').argParser(parseNumber('--priority')).default(1))
      .option('--readd', "clear the key's gating and cooldown first, and take it out of the dead letters")
      .addOption(
        new Option('--mode <mode>', 'the priority of a key already queued: add to it, replace it, or keep the higher').choices(ADD_MODES).default('sum'),
      )
      .addOption(new Option('--delay <duration>', 'hold the item back this long (e.g. 30s, 10m) before it can be pulled').argParser(parseDuration('--delay')))
      .addOption(codecOption())
      .addOption(json())
      .action(async (name, key, value, options, command) => {
        const stored = storedValue(value, options.codec);
        if (typeof stored !== 'string') throw usage(stored.error);
        await session(command, false, async ({ registry }) => {
          const addOptions = { readd: options.readd === true, mode: options.mode, delayMs: options.delay };
          const [result] = await registry.stream(name).addManyDetailed([[key, stored, options.priority]], addOptions);
          if (result === undefined) throw new CliError('the add returned no result');
          if (options.json === true) printJson(io.stdout, { key, ...result });
          if (result.added) {
            const where = options.delay === undefined ? 'queued' : `delayed by ${formatDuration(options.delay)}`;
            if (options.json !== true) println(io.stdout, `${quoted(key)} is ${where} in ${quoted(name)} with priority ${formatPriority(result.priority)}`);
            return;
          }
          if (options.json !== true) println(io.stderr, `good-redis: ${quoted(key)} was not added to ${quoted(name)}: ${REJECTIONS[result.reason]}`);
          outcome.code = ExitCode.Partial;
        });
      });

    parent
      .command('pull')
      .description('take the highest-priority items out of a stream and print them')
      .argument('<name>', 'the stream', checkName)
      .addOption(
        new Option('-n, --count <n>', `how many items at most (1 to ${String(MAX_PULL_COUNT)})`).argParser(parseCount('--count', 1, MAX_PULL_COUNT)).default(1),
      )
      .option('--no-purge', 'keep the items, with their priority lowered by --decrease-by')
      .option('--gate', 'gate the pulled keys so they can never be added again (not with --no-purge)')
      .addOption(
        new Option('--cooldown <duration>', 'cooldown of the pulled keys, e.g. 30s, 10m, 2h; 0 for none (default: 24h)').argParser(parseDuration('--cooldown')),
      )
      .addOption(new Option('--decrease-by <n>', 'with --no-purge, how much each priority is lowered').argParser(parseNumber('--decrease-by')).default(1))
      .addOption(json())
      .action(async (name, options, command) => {
        if (options.gate === true && !options.purge) throw usage('--gate needs the items to leave the stream: drop --no-purge');
        await session(command, false, async ({ registry }) => {
          const { stream } = await knownStream(registry, name);
          const items = await stream.pull({
            count: options.count,
            purge: options.purge,
            gate: options.gate === true,
            decreaseBy: options.decreaseBy,
            ...(options.cooldown === undefined ? {} : { cooldownMs: options.cooldown }),
          });
          if (options.json === true) {
            printJson(io.stdout, { items });
            return;
          }
          if (items.length === 0) {
            println(io.stderr, `${quoted(name)} is empty: nothing pulled`);
            return;
          }
          for (const line of itemTable(items, Number.MAX_SAFE_INTEGER)) println(io.stdout, line);
        });
      });

    parent
      .command('increment')
      .description('add to the priority of a queued item (exit code 3 when it is not queued)')
      .argument('<name>', 'the stream', checkName)
      .argument('<key>', 'the item key', checkKey)
      .argument('[by]', 'a finite number, negative to lower it', parseNumber('by'), 1)
      .addOption(json())
      .action(async (name, key, by, options, command) => {
        await session(command, false, async ({ registry }) => {
          const priority = await (await knownStream(registry, name)).stream.increment(key, by);
          if (options.json === true) printJson(io.stdout, { key, priority });
          if (priority === null) {
            if (options.json !== true) println(io.stderr, `good-redis: ${quoted(key)} is not queued in ${quoted(name)}`);
            outcome.code = ExitCode.Partial;
          } else if (options.json !== true) {
            println(io.stdout, `${quoted(key)} now has priority ${formatPriority(priority)}`);
          }
        });
      });

    parent
      .command('decrement-all')
      .description('lower the priority of every queued item, in O(1)')
      .argument('<name>', 'the stream', checkName)
      .argument('[by]', 'a finite number', parseNumber('by'), 1)
      .addOption(json())
      .action(async (name, by, options, command) => {
        await session(command, false, async ({ registry }) => {
          const affected = await (await knownStream(registry, name)).stream.decrementAll(by);
          if (options.json === true) printJson(io.stdout, { affected, by });
          else println(io.stdout, `lowered the priority of ${String(affected)} item(s) in ${quoted(name)} by ${formatPriority(by)}`);
        });
      });

    parent
      .command('delete-below')
      .description('remove every queued item whose priority is below a threshold')
      .argument('<name>', 'the stream', checkName)
      .argument('<threshold>', 'a finite number; items strictly below it go', parseNumber('threshold'))
      .option('--gate', 'also gate the removed keys')
      .addOption(json())
      .action(async (name, threshold, options, command) => {
        await session(command, false, async ({ registry }) => {
          const keys = await (await knownStream(registry, name)).stream.deleteBelow(threshold, { gate: options.gate === true });
          if (options.json === true) printJson(io.stdout, { removed: keys.length, keys });
          else
            println(
              io.stdout,
              `removed ${String(keys.length)} item(s) below ${formatPriority(threshold)} from ${quoted(name)}${options.gate === true ? ' and gated their keys' : ''}`,
            );
        });
      });

    parent
      .command('dead')
      .description("list a stream's dead letters, oldest first, with their last error")
      .argument('<name>', 'the stream', checkName)
      .addOption(new Option('-n, --limit <n>', 'how many to show').argParser(parseCount('--limit', 1, 10_000)).default(20))
      .addOption(new Option('--offset <n>', 'skip this many first').argParser(parseCount('--offset', 0, Number.MAX_SAFE_INTEGER)).default(0))
      .addOption(new Option('--width <n>', 'shorten values and errors to this many characters').argParser(parseCount('--width', 8, 10_000)).default(60))
      .addOption(json())
      .action(async (name, options, command) => {
        await session(command, false, async ({ registry }) => {
          const { stream } = await knownStream(registry, name);
          const [dead, stats] = await Promise.all([stream.deadLetters({ offset: options.offset, limit: options.limit }), stream.stats()]);
          if (options.json === true) {
            printJson(io.stdout, { name, total: stats.dead, dead: dead.map(deadJson) });
            return;
          }
          println(io.stdout, `Dead letters of ${quoted(name)}: ${String(dead.length)} of ${String(stats.dead)}, oldest first`);
          if (dead.length > 0) for (const line of deadTable(dead, stats.now, options.width)) println(io.stdout, line);
        });
      });

    parent
      .command('replay')
      .description('put dead letters back into the stream at their last priority, attempts reset')
      .argument('<name>', 'the stream', checkName)
      .argument('[keys...]', 'the dead keys to replay')
      .option('--all', 'replay every dead letter')
      .addOption(json())
      .action(async (name, keys, options, command) => {
        const all = deadKeysOrAll(keys, options.all === true);
        await session(command, false, async ({ registry }) => {
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

    parent
      .command('purge-dead')
      .description('delete dead letters and their values (all of them asks first on a terminal)')
      .argument('<name>', 'the stream', checkName)
      .argument('[keys...]', 'the dead keys to purge')
      .option('--all', 'purge every dead letter')
      .option('-y, --yes', 'do not ask')
      .addOption(json())
      .action(async (name, keys, options, command) => {
        const all = deadKeysOrAll(keys, options.all === true);
        await session(command, false, async ({ registry }) => {
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

    parent
      .command('leases')
      .description('list the leased jobs, the soonest deadline first, with who holds each')
      .argument('<name>', 'the stream', checkName)
      .addOption(new Option('-n, --limit <n>', 'how many to show').argParser(parseCount('--limit', 1, 10_000)).default(20))
      .addOption(json())
      .action(async (name, options, command) => {
        await session(command, false, async ({ registry }) => {
          const { stream } = await knownStream(registry, name);
          const [leases, stats] = await Promise.all([stream.leases({ limit: options.limit }), stream.stats()]);
          if (options.json === true) {
            printJson(io.stdout, { name, total: stats.leased, leases: leases.map((l) => ({ ...l, endsInMs: l.deadline - stats.now })) });
            return;
          }
          println(io.stdout, `Leases of ${quoted(name)}: ${String(leases.length)} of ${String(stats.leased)}, the soonest deadline first`);
          if (leases.length === 0) return;
          const rows = leases.map((l) => [l.key, String(l.attempt), l.owner ?? '-', formatDue(l.deadline - stats.now)]);
          for (const line of table([{ title: 'KEY' }, { title: 'ATTEMPT', right: true }, { title: 'OWNER' }, { title: 'ENDS' }], rows))
            println(io.stdout, line);
        });
      });

    parent
      .command('state')
      .description('tell what one key is: queued, leased, delayed, dead, gated, cooling or absent')
      .argument('<name>', 'the stream', checkName)
      .argument('<key>', 'the item key', checkKey)
      .addOption(json())
      .action(async (name, key, options, command) => {
        await session(command, false, async ({ registry }) => {
          const stream = registry.stream(name);
          const [state, { now }] = await Promise.all([stream.state(key), stream.stats()]);
          if (options.json === true) {
            printJson(io.stdout, { key, ...state });
            return;
          }
          println(io.stdout, `${quoted(key)} in ${quoted(name)}: ${describeState(state, now)}`);
        });
      });

    parent
      .command('delete')
      .description('delete a stream and everything it holds (asks first on a terminal)')
      .argument('<name>', 'the stream', checkName)
      .option('-y, --yes', 'do not ask')
      .addOption(json())
      .action(async (name, options, command) => {
        await session(command, false, async ({ registry }) => {
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

    parent
      .command('import')
      .description('add items from a JSON-lines or CSV file (- for standard input), in atomic batches')
      .argument('<name>', 'the stream (created if new)', checkName)
      .argument('<file>', 'lines of {"key","value","priority"}, or CSV key,value[,priority]')
      .addOption(new Option('--format <format>', 'the file format; default: from the file name').choices(IMPORT_FORMATS))
      .addOption(new Option('--batch <n>', 'items per atomic script').argParser(parseCount('--batch', 1, 10_000)).default(1000))
      .option('--readd', 'clear gating and cooldowns of the imported keys first, and take them out of the dead letters')
      .addOption(
        new Option('--mode <mode>', 'the priority of a key already queued: add to it (a re-run doubles it), replace it, or keep the higher')
          .choices(ADD_MODES)
          .default('sum'),
      )
      .addOption(codecOption())
      .option('--no-progress', 'no progress bar (it is drawn only on a terminal anyway)')
      .addOption(json())
      .action(async (name, file, options, command) => {
        const format = formatOf(file, options.format);
        let size: number | undefined;
        if (file !== '-') {
          try {
            size = (await stat(file)).size;
          } catch (err) {
            throw new CliError(`cannot read ${JSON.stringify(file)}: ${err instanceof Error ? err.message : String(err)}`);
          }
        }
        await session(command, false, async ({ registry }) => {
          const input = file === '-' ? io.stdin : createReadStream(file);
          const progress = options.progress ? new ProgressBar(io.stderr, size) : undefined;
          const summary = await importLines(registry.stream(name, { chunkSize: options.batch }), input, {
            format,
            batchSize: options.batch,
            readd: options.readd === true,
            mode: options.mode,
            codec: options.codec,
            progress,
            bytesRead: () => ('bytesRead' in input ? input.bytesRead : 0),
          });
          if (options.json === true) printJson(io.stdout, summary);
          else printImportSummary(io, file, summary, options.mode);
          if (rejectedTotal(summary) > 0 || summary.badLines.length > 0) outcome.code = ExitCode.Partial;
        });
      });
  };

  defineStreamCommands(
    program
      .command('stream')
      .description('the commands on one prioritized stream (each is also a command of its own: good-redis stream add is good-redis add)')
      .helpCommand(false),
  );
  defineStreamCommands(program);

  program
    .command('expire')
    .description('sweep once: end due cooldowns, return expired leases, bring back due delayed jobs')
    .argument('[name]', 'sweep only this stream; default: every registered stream', checkName)
    .addOption(new Option('--batch <n>', 'cooldowns per atomic script').argParser(parseCount('--batch', 1, 10_000)).default(1000))
    .addOption(json())
    .action(async (name, options, command) => {
      await session(command, false, async ({ registry }) => {
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

  program
    .command('expirer')
    .description('run the sweeper until SIGINT or SIGTERM (which let the sweep in flight finish)')
    .addOption(new Option('--interval <duration>', 'pause between the end of a sweep and the next').argParser(parseDuration('--interval')).default(1000, '1s'))
    .addOption(new Option('--batch <n>', 'cooldowns per atomic script').argParser(parseCount('--batch', 1, 10_000)).default(1000))
    .addOption(new Option('--log-format <format>', 'JSON lines, or text lines').choices(LOG_FORMATS).default('json'))
    .option('-v, --verbose', 'also log every sweep that did nothing, and sweep starts')
    .action(async (options, command) => {
      if (options.interval < 1) throw usage('--interval must be at least 1ms');
      const log = new Logger(io.stdout, options.logFormat, options.verbose === true);
      await untilSignal((stop) =>
        session(
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

  program
    .command('top')
    .description('a live view of the streams: sizes, add and pull rates (Ctrl-C quits)')
    .addOption(new Option('--interval <duration>', 'time between refreshes').argParser(parseDuration('--interval')).default(2000, '2s'))
    .addOption(new Option('-n, --iterations <n>', 'stop after this many refreshes').argParser(parseCount('--iterations')))
    .addOption(new Option('--json', 'print one JSON object per refresh instead of a table'))
    .action(async (options, command) => {
      if (options.interval < 100) throw usage('--interval must be at least 100ms');
      await untilSignal((stop) =>
        session(command, true, async ({ registry, target }) => {
          await runTop(
            registry,
            { intervalMs: options.interval, iterations: options.iterations, json: options.json === true, target: target.description },
            io.stdout,
            stop,
          );
        }),
      );
    });

  return program;
}

/** Items as a PRIORITY / KEY / VALUE table, values shortened to `width` and escaped. */
function itemTable(items: readonly Item<string>[], width: number, indent?: string): string[] {
  const rows = items.map((item) => [formatPriority(item.priority), item.key, shorten(item.value, width)]);
  return table([{ title: 'PRIORITY', right: true }, { title: 'KEY' }, { title: 'VALUE' }], rows, indent);
}

/** A dead letter as `--json` prints it: the value raw when it did not decode. */
function deadJson(d: DeadLetter<string>): Record<string, unknown> {
  const { key, priority, attempts, error, diedAt } = d;
  return d.decoded ? { key, value: d.value, priority, attempts, error, diedAt } : { key, raw: String(d.raw), priority, attempts, error, diedAt };
}

/** Dead letters as a KEY / ATTEMPTS / DIED / ERROR / VALUE table. */
function deadTable(dead: readonly DeadLetter<string>[], now: number, width: number, indent?: string): string[] {
  const rows = dead.map((d) => [
    d.key,
    String(d.attempts),
    `${formatDuration(Math.max(0, now - d.diedAt))} ago`,
    shorten(d.error ?? '-', width),
    shorten(d.decoded ? d.value : String(d.raw), width),
  ]);
  return table([{ title: 'KEY' }, { title: 'ATTEMPTS', right: true }, { title: 'DIED' }, { title: 'ERROR' }, { title: 'VALUE' }], rows, indent);
}

/** "in 9m 58s", or "overdue by 2s" for a time already past. */
function formatDue(inMs: number): string {
  return inMs >= 0 ? `in ${formatDuration(inMs)}` : `overdue by ${formatDuration(-inMs)}`;
}

/** One line about a key's state, for `state`. */
function describeState(s: KeyState, now: number): string {
  switch (s.state) {
    case 'queued':
      return `queued with priority ${formatPriority(s.priority)}${s.attempts > 0 ? ` (${String(s.attempts)} attempt(s) so far)` : ''}`;
    case 'leased':
      return `leased (attempt ${String(s.attempt)}) by ${s.owner === null ? 'an unnamed consumer' : escapeControls(s.owner)}, lease ends ${formatDue(s.deadline - now)}`;
    case 'delayed':
      return `delayed, joins the stream ${formatDue(s.due - now)} with priority ${formatPriority(s.priority)}`;
    case 'dead':
      return `dead after ${String(s.attempts)} attempt(s), ${formatDuration(Math.max(0, now - s.diedAt))} ago: ${s.error === null ? 'no error recorded' : escapeControls(s.error)}`;
    case 'gated':
      return 'gated: never added again without --readd';
    case 'cooling':
      return `cooling down, refused by add ${formatDue(s.until - now).replace(/^in /, 'for ')}`;
    case 'absent':
      return 'absent: an add would queue it';
  }
}

/** Checks that `replay` and `purge-dead` name keys or say --all, not both: returns whether it is all. */
function deadKeysOrAll(keys: readonly string[], all: boolean): boolean {
  if (all && keys.length > 0) throw usage('name keys or pass --all, not both');
  if (!all && keys.length === 0) throw usage('name the dead keys, or pass --all');
  if (keys.includes('')) throw usage('key must be a non-empty string');
  return all;
}

/** The counts of a snapshot, without its clock reading. */
function countsOf(stats: StreamStats): Omit<StreamStats, 'now'> {
  const { length, gated, cooling, cooldownsDue, leased, delayed, dead, added, pulled } = stats;
  return { length, gated, cooling, cooldownsDue, leased, delayed, dead, added, pulled };
}

/**
 * The stream `name`, if it is registered or holds anything, and whether it is registered;
 * else a one-line error.
 *
 * @throws {@link CliError} for an unknown stream
 */
async function knownStream(registry: StreamRegistry, name: string, chunkSize?: number): Promise<{ stream: PrioritizedStream; registered: boolean }> {
  const stream = registry.stream(name, chunkSize === undefined ? {} : { chunkSize });
  if (await registry.has(name)) return { stream, registered: true };
  const s = await stream.stats();
  if (s.length + s.gated + s.cooling + s.cooldownsDue + s.leased + s.delayed + s.dead > 0) return { stream, registered: false };
  throw new CliError(`unknown stream ${quoted(name)}: it is not registered and holds nothing (good-redis streams lists the streams)`);
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

/** Items the import's add scripts refused, for any reason. */
function rejectedTotal(s: ImportSummary): number {
  return s.rejected.gated + s.rejected.cooling + s.rejected.inFlight + s.rejected.dead;
}

function printImportSummary(io: CliIO, file: string, s: ImportSummary, mode: AddMode): void {
  const out = (line: string): void => {
    println(io.stdout, line);
  };
  const rejected = rejectedTotal(s);
  out(
    `Imported ${file === '-' ? 'standard input' : JSON.stringify(file)} (${s.format}) into ${JSON.stringify(s.stream)} in ${formatDuration(s.durationMs)}, ${String(s.itemsPerSecond)} items/s`,
  );
  out(`  lines      ${String(s.lines)}`);
  out(`  added      ${String(s.added)} new key(s)`);
  out(`  merged     ${String(s.merged)} key(s) already queued: value replaced, priority ${MERGES[mode]}`);
  out(
    `  rejected   ${String(rejected)} (gated ${String(s.rejected.gated)}, cooling ${String(s.rejected.cooling)}, in flight ${String(s.rejected.inFlight)}, dead ${String(s.rejected.dead)})`,
  );
  out(`  bad lines  ${String(s.badLines.length)}`);
  const shown = s.badLines.slice(0, 10);
  for (const bad of shown) out(`    line ${String(bad.line)}: ${bad.reason}`);
  if (s.badLines.length > shown.length) out(`    … and ${String(s.badLines.length - shown.length)} more (--json lists them all)`);
  if (s.merged > 0 && mode === 'sum') out("hint: running the import again sums these priorities again; --mode replace (or max) keeps the file's priorities");
}

/** What each add mode does to the priority of a key that is already queued, for the import summary. */
const MERGES: Readonly<Record<AddMode, string>> = { sum: "summed with the file's", replace: "replaced by the file's", max: 'the higher of the two kept' };

/**
 * Runs `work` with an AbortSignal that the first SIGINT or SIGTERM aborts (a second one exits
 * at once), and stops listening for the signals when `work` ends.
 */
async function untilSignal(work: (stop: AbortSignal) => Promise<void>): Promise<void> {
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
