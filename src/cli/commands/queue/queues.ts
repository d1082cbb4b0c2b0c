/**
 * `good-redis queues`: list every registered queue and pool with its counts.
 *
 * @module
 */
import { Command, type CommandUnknownOpts } from '@commander-js/extra-typings';
import { printJson, println } from '../../cli-support.js';
import { jsonOption, type CliContext } from '../../context.js';
import { table } from '../../format.js';
import { queueRegistryOf } from './shared.js';

/** Builds `good-redis queues`. */
export function queuesCommand(ctx: CliContext): CommandUnknownOpts {
  const { io } = ctx;
  return new Command('queues')
    .description('list every registered queue, unique queue and pool with its counts')
    .addOption(jsonOption())
    .action(async (options, command) => {
      await ctx.session(command, false, async (session) => {
        const registry = queueRegistryOf(session);
        const rows = await Promise.all(
          (await registry.entries()).map(async ([name, kind]) => {
            if (kind === 'pool') {
              const s = await registry.pool(name).stats();
              return { name, kind, size: s.size, due: s.due, leased: s.leased };
            }
            const q = registry.reliableQueue(name, kind);
            const s = await q.stats();
            return { name, kind, waiting: s.waiting, processing: s.processing, consumers: s.consumers - s.deadConsumers, deadConsumers: s.deadConsumers };
          }),
        );
        if (options.json === true) {
          printJson(io.stdout, { prefix: session.prefix, queues: rows });
          return;
        }
        if (rows.length === 0) {
          println(io.stdout, `No registered queues${session.prefix === '' ? '' : ` under prefix ${JSON.stringify(session.prefix)}`}.`);
          return;
        }
        const columns = [{ title: 'NAME' }, { title: 'KIND' }, ...['WAITING', 'PROCESSING', 'CONSUMERS', 'DEAD'].map((title) => ({ title, right: true }))];
        const cells = rows.map((r) =>
          'size' in r
            ? [r.name, r.kind, `${String(r.size)} items`, `${String(r.leased)} leased`, `${String(r.due)} due`, '-']
            : [r.name, r.kind, String(r.waiting), String(r.processing), String(r.consumers), String(r.deadConsumers)],
        );
        for (const line of table(columns, cells)) println(io.stdout, line);
      });
    });
}
