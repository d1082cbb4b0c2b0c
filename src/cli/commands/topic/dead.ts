/**
 * `good-redis topic dead`, `topic replay` and `topic purge-dead`: a group's dead letters.
 *
 * @module
 */
import { Command, Option, type CommandUnknownOpts } from '@commander-js/extra-typings';
import { CliError, formatDuration, parseCount, printJson, println, usage } from '../../cli-support.js';
import { confirm, jsonOption, type CliContext } from '../../context.js';
import { quoted, shorten, table } from '../../format.js';
import { checkGroup, checkTopic, knownGroup, parseDeadRefs } from './shared.js';

/** Builds `good-redis topic dead`. */
export function deadCommand(ctx: CliContext): CommandUnknownOpts {
  const { io } = ctx;
  return new Command('dead')
    .description("list a group's dead letters, oldest death first, with their attempts and last error")
    .argument('<name>', 'the topic', checkTopic)
    .argument('<group>', 'the group', checkGroup)
    .addOption(new Option('--limit <n>', 'how many to show').argParser(parseCount('--limit', 1, 10_000)).default(100))
    .addOption(new Option('--width <n>', 'shorten values to this many characters').argParser(parseCount('--width', 8, 10_000)).default(60))
    .addOption(jsonOption())
    .action(async (name, group, options, command) => {
      await ctx.session(command, false, async (session) => {
        const topic = await knownGroup(session, name, group);
        const [dead, [seconds]] = await Promise.all([topic.deadLetters(group, { limit: options.limit }), session.client.time()]);
        if (options.json === true) {
          printJson(
            io.stdout,
            dead.map((d) => ({ ...d, value: d.value ?? null, raw: d.raw === undefined ? undefined : String(d.raw) })),
          );
          return;
        }
        println(io.stdout, `Dead letters of group ${quoted(group)} of topic ${quoted(name)} (${String(dead.length)})`);
        if (dead.length === 0) return;
        const now = Number(seconds) * 1000;
        const rows = dead.map((d) => [
          `${String(d.partition)}:${d.deadId}`,
          d.key ?? '-',
          shorten(d.value ?? `(undecodable) ${String(d.raw)}`, options.width),
          String(d.attempts),
          `${formatDuration(Math.max(0, now - d.diedAt))} ago`,
          shorten(d.error, options.width),
        ]);
        for (const line of table(
          [{ title: 'REF' }, { title: 'KEY' }, { title: 'VALUE' }, { title: 'ATTEMPTS', right: true }, { title: 'DIED' }, { title: 'ERROR' }],
          rows,
          '  ',
        ))
          println(io.stdout, line);
      });
    });
}

/** Builds `good-redis topic replay`. */
export function replayCommand(ctx: CliContext): CommandUnknownOpts {
  const { io } = ctx;
  return new Command('replay')
    .description("replay a group's dead letters (all, or those named partition:deadId) to that group only, after later messages")
    .argument('<name>', 'the topic', checkTopic)
    .argument('<group>', 'the group', checkGroup)
    .argument('[refs...]', 'dead letters as partition:deadId (all when none)')
    .addOption(jsonOption())
    .action(async (name, group, refs, options, command) => {
      const named = refs.length === 0 ? undefined : parseDeadRefs(refs);
      await ctx.session(command, false, async (session) => {
        const topic = await knownGroup(session, name, group);
        const replayed = await topic.replayDead(group, named);
        if (options.json === true) printJson(io.stdout, { replayed });
        else println(io.stdout, `replayed ${String(replayed)} dead letter(s) to group ${quoted(group)}`);
      });
    });
}

/** Builds `good-redis topic purge-dead`. */
export function purgeDeadCommand(ctx: CliContext): CommandUnknownOpts {
  const { io } = ctx;
  return new Command('purge-dead')
    .description("delete a group's dead letters for good: all (asks first on a terminal), or those named partition:deadId")
    .argument('<name>', 'the topic', checkTopic)
    .argument('<group>', 'the group', checkGroup)
    .argument('[refs...]', 'dead letters as partition:deadId (all when none)')
    .option('-y, --yes', 'do not ask')
    .addOption(jsonOption())
    .action(async (name, group, refs, options, command) => {
      const named = refs.length === 0 ? undefined : parseDeadRefs(refs);
      await ctx.session(command, false, async (session) => {
        const topic = await knownGroup(session, name, group);
        if (named === undefined && options.yes !== true) {
          if (io.stdin.isTTY !== true) throw usage(`refusing to purge every dead letter of ${quoted(group)} without --yes: there is no terminal to ask on`);
          if (!(await confirm(io, `Purge every dead letter of group ${quoted(group)} of topic ${quoted(name)}? This cannot be undone. [y/N] `)))
            throw new CliError('nothing was purged');
        }
        const purged = await topic.purgeDead(group, named);
        if (options.json === true) printJson(io.stdout, { purged });
        else println(io.stdout, `purged ${String(purged)} dead letter(s) of group ${quoted(group)}`);
      });
    });
}
