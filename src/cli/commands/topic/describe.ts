/**
 * `good-redis topic describe`: per partition, its length and, per group, lag, pending and owner.
 *
 * @module
 */
import { Command, type CommandUnknownOpts } from '@commander-js/extra-typings';
import { printJson, println } from '../../cli-support.js';
import { jsonOption, type CliContext } from '../../context.js';
import { quoted, table } from '../../format.js';
import { checkTopic, knownTopic } from './shared.js';

/** Builds `good-redis topic describe`. */
export function describeTopicCommand(ctx: CliContext): CommandUnknownOpts {
  const { io } = ctx;
  return new Command('describe')
    .description("show a topic: each partition's length and, per group, its lag, pending messages and owner")
    .argument('<name>', 'the topic', checkTopic)
    .addOption(jsonOption())
    .action(async (name, options, command) => {
      await ctx.session(command, false, async (session) => {
        const topic = await knownTopic(session, name);
        const described = await topic.describe();
        const groups = await Promise.all(described.groups.map((g) => topic.describeGroup(g)));
        if (options.json === true) {
          printJson(io.stdout, { ...described, groupDetails: groups });
          return;
        }
        println(io.stdout, `Topic ${quoted(name)}: ${String(described.partitions)} partition(s), ${String(described.groups.length)} group(s)`);
        const columns = [
          { title: 'PARTITION', right: true },
          { title: 'LENGTH', right: true },
          { title: 'GROUP' },
          { title: 'LAG', right: true },
          { title: 'PENDING', right: true },
          { title: 'OWNER' },
        ];
        const rows: string[][] = [];
        described.lengths.forEach((length, p) => {
          if (groups.length === 0) rows.push([String(p), String(length), '-', '-', '-', '-']);
          for (const g of groups) {
            const row = g.partitions[p];
            rows.push([
              String(p),
              String(length),
              g.group,
              row?.lag === null || row === undefined ? '?' : String(row.lag),
              String(row?.pending ?? 0),
              row?.owner ?? '-',
            ]);
          }
        });
        for (const line of table(columns, rows, '  ')) println(io.stdout, line);
      });
    });
}
