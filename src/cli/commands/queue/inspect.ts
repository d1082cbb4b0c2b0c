/**
 * `good-redis queue inspect`: show a queue (next values, consumers, rollback counters) or a
 * pool (soonest due, leases).
 *
 * @module
 */
import { Command, Option, type CommandUnknownOpts } from '@commander-js/extra-typings';
import { formatDuration, parseCount, printJson, println } from '../../cli-support.js';
import { checkName, jsonOption, type CliContext } from '../../context.js';
import { quoted, shorten, table } from '../../format.js';
import { knownQueue, queueRegistryOf } from './shared.js';

/** Builds `good-redis queue inspect`. */
export function inspectQueueCommand(ctx: CliContext): CommandUnknownOpts {
  const { io } = ctx;
  return new Command('inspect')
    .description('show a queue: its next values, consumers with what they hold, and rollback counters; or a pool: soonest due, leases')
    .argument('<name>', 'the queue or pool', checkName)
    .addOption(new Option('--top <n>', 'how many values or items to show').argParser(parseCount('--top', 0, 1000)).default(10))
    .addOption(new Option('--width <n>', 'shorten values to this many characters').argParser(parseCount('--width', 8, 10_000)).default(60))
    .addOption(jsonOption())
    .action(async (name, options, command) => {
      await ctx.session(command, false, async (session) => {
        const registry = queueRegistryOf(session);
        const kind = await knownQueue(registry, name);
        const out = (line = ''): void => {
          println(io.stdout, line);
        };
        if (kind === 'pool') {
          const pool = registry.pool(name);
          const [stats, items] = await Promise.all([pool.stats(), pool.items({ limit: options.top })]);
          if (options.json === true) {
            printJson(io.stdout, { name, kind, stats, items: items.map((i) => ({ ...i, inMs: i.dueAt - stats.now })) });
            return;
          }
          out(`Pool ${quoted(name)}`);
          out(`  size ${String(stats.size)}  due now ${String(stats.due)}  leased ${String(stats.leased)}`);
          out();
          out(`Soonest due (${String(items.length)} of ${String(stats.size)})`);
          const rows = items.map((i) => {
            const inMs = i.dueAt - stats.now;
            const when = inMs > 0 ? `in ${formatDuration(inMs)}` : `${formatDuration(-inMs)} ago`;
            return [shorten(i.value, options.width), i.leased ? `leased, lease ends ${when}` : `due ${when}`];
          });
          if (rows.length > 0) for (const line of table([{ title: 'ITEM' }, { title: 'STATE' }], rows, '  ')) out(line);
          return;
        }
        const queue = registry.reliableQueue(name, kind);
        const [stats, next, consumers, rollbacks] = await Promise.all([
          queue.stats(),
          queue.items({ limit: options.top }),
          queue.consumers(),
          queue.rollbacks({ limit: options.top }),
        ]);
        if (options.json === true) {
          printJson(io.stdout, { name, kind, stats, next, consumers, rollbacks });
          return;
        }
        out(`${kind === 'unique' ? 'Unique queue' : 'Queue'} ${quoted(name)}`);
        out(
          `  waiting ${String(stats.waiting)}  processing ${String(stats.processing)}  consumers ${String(stats.consumers)} (${String(stats.deadConsumers)} dead)`,
        );
        out();
        out(`Next to hand out (${String(next.length)} of ${String(stats.waiting)})`);
        for (const [i, value] of next.entries()) out(`  ${String(i + 1).padStart(3)}  ${shorten(value, options.width)}`);
        out();
        out(`Consumers (${String(consumers.length)}), least recently heard from first`);
        if (consumers.length > 0) {
          const rows = consumers.map((c) => [
            c.id,
            c.alive ? 'alive' : 'dead',
            `${formatDuration(Math.max(0, stats.now - c.lastHeartbeatAt))} ago`,
            String(c.held),
            c.oldestHeldAt === null ? '-' : `${formatDuration(Math.max(0, stats.now - c.oldestHeldAt))} ago`,
          ]);
          for (const line of table(
            [{ title: 'ID' }, { title: 'STATE' }, { title: 'HEARTBEAT' }, { title: 'HELD', right: true }, { title: 'OLDEST' }],
            rows,
            '  ',
          ))
            out(line);
        }
        if (rollbacks.length > 0) {
          out();
          out('Rollback counters, most recent first');
          const rows = rollbacks.map((r) => [shorten(r.value, options.width), String(r.count), `${formatDuration(Math.max(0, stats.now - r.lastAt))} ago`]);
          for (const line of table([{ title: 'VALUE' }, { title: 'COUNT', right: true }, { title: 'LAST' }], rows, '  ')) out(line);
        }
      });
    });
}
