/**
 * `good-redis topics`: list every registered topic with its partitions, lengths, groups and dead letters.
 *
 * @module
 */
import { Command, type CommandUnknownOpts } from '@commander-js/extra-typings';
import { printJson, println } from '../../cli-support.js';
import { jsonOption, type CliContext } from '../../context.js';
import { table } from '../../format.js';
import { topicRegistryOf } from './shared.js';

/** Builds `good-redis topics`. */
export function topicsCommand(ctx: CliContext): CommandUnknownOpts {
  const { io } = ctx;
  return new Command('topics')
    .description('list every registered topic with its partitions, length, groups and dead letters')
    .addOption(jsonOption())
    .action(async (options, command) => {
      await ctx.session(command, false, async (session) => {
        const registry = topicRegistryOf(session);
        const rows = await Promise.all(
          (await registry.names()).map(async (name) => {
            const topic = registry.topic(name);
            const described = await topic.describe();
            const dead = await Promise.all(described.groups.map(async (g) => (await topic.deadLetters(g, { limit: 10_000 })).length));
            return {
              name,
              partitions: described.partitions,
              length: described.lengths.reduce((a, b) => a + b, 0),
              groups: described.groups,
              dead: dead.reduce((a, b) => a + b, 0),
            };
          }),
        );
        if (options.json === true) {
          printJson(io.stdout, { prefix: session.prefix, topics: rows });
          return;
        }
        if (rows.length === 0) {
          println(io.stdout, `No registered topics${session.prefix === '' ? '' : ` under prefix ${JSON.stringify(session.prefix)}`}.`);
          return;
        }
        const columns = [
          { title: 'NAME' },
          { title: 'PARTITIONS', right: true },
          { title: 'LENGTH', right: true },
          { title: 'DEAD', right: true },
          { title: 'GROUPS' },
        ];
        const cells = rows.map((r) => [r.name, String(r.partitions), String(r.length), String(r.dead), r.groups.join(', ') || '-']);
        for (const line of table(columns, cells)) println(io.stdout, line);
      });
    });
}
