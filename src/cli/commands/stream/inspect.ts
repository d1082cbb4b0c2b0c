/**
 * `good-redis inspect`: show a stream: its counts, top items and the cooldowns that end soonest.
 *
 * @module
 */
import { Command, Option, type CommandUnknownOpts } from '@commander-js/extra-typings';
import { formatDuration, parseCount, printJson, println } from '../../cli-support.js';
import { checkName, jsonOption, type CliContext } from '../../context.js';
import { formatPriority, quoted, table } from '../../format.js';
import { countsOf, deadJson, deadTable, formatDue, itemTable, knownStream } from './shared.js';

/** Builds `good-redis inspect`. */
export function inspectCommand(ctx: CliContext): CommandUnknownOpts {
  const { io } = ctx;
  return new Command('inspect')
    .description('show a stream: its counts, top items and the cooldowns that end soonest')
    .argument('<name>', 'the stream', checkName)
    .addOption(new Option('--top <n>', 'how many items to show').argParser(parseCount('--top', 0, 1000)).default(10))
    .addOption(new Option('--cooldowns <n>', 'how many cooldowns to show').argParser(parseCount('--cooldowns', 0, 1000)).default(10))
    .addOption(new Option('--delayed <n>', 'how many delayed jobs to show, due soonest').argParser(parseCount('--delayed', 0, 1000)).default(5))
    .addOption(new Option('--dead <n>', 'how many dead letters to show, oldest first').argParser(parseCount('--dead', 0, 1000)).default(5))
    .addOption(new Option('--width <n>', 'shorten values to this many characters').argParser(parseCount('--width', 8, 10_000)).default(60))
    .addOption(jsonOption())
    .action(async (name, options, command) => {
      await ctx.session(command, false, async ({ registry }) => {
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
            for (const line of table([{ title: 'PRIORITY', right: true }, { title: 'KEY' }, { title: 'DUE' }, { title: 'ATTEMPTS', right: true }], rows, '  '))
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
}
