/**
 * `good-redis tasks`: list every registered task queue with its broker kind and counts.
 *
 * @module
 */
import { Command, type CommandUnknownOpts } from '@commander-js/extra-typings';
import { TaskQueueRegistry } from '../../../tasks/task-queue-registry.js';
import { printJson, println } from '../../cli-support.js';
import { jsonOption, type CliContext } from '../../context.js';
import { table } from '../../format.js';

/** Builds `good-redis tasks`. */
export function tasksCommand(ctx: CliContext): CommandUnknownOpts {
  const { io } = ctx;
  return new Command('tasks')
    .description('list every registered task queue: its broker kind, waiting, in flight, delayed, dead, schedules')
    .addOption(jsonOption())
    .action(async (options, command) => {
      await ctx.session(command, false, async (session) => {
        const registry = new TaskQueueRegistry(session.client, { prefix: session.prefix });
        const rows = await Promise.all((await registry.names()).map((name) => registry.describe(name)));
        if (options.json === true) {
          printJson(io.stdout, { prefix: session.prefix, queues: rows });
          return;
        }
        if (rows.length === 0) {
          println(io.stdout, `No registered task queues${session.prefix === '' ? '' : ` under prefix ${JSON.stringify(session.prefix)}`}.`);
          return;
        }
        const columns = [
          { title: 'NAME' },
          { title: 'KIND' },
          { title: 'WAITING', right: true },
          { title: 'INFLIGHT', right: true },
          { title: 'DELAYED', right: true },
          { title: 'DEAD', right: true },
          { title: 'SCHEDULES', right: true },
        ];
        const cells = rows.map((r) => [r.name, r.kind === '' ? '-' : r.kind, ...[r.waiting, r.active, r.delayed, r.dead, r.schedules].map(String)]);
        for (const line of table(columns, cells)) println(io.stdout, line);
      });
    });
}
