/**
 * `good-redis topic group`: a consumer group's generation and members.
 *
 * @module
 */
import { Command, type CommandUnknownOpts } from '@commander-js/extra-typings';
import { formatDuration, printJson, println } from '../../cli-support.js';
import { jsonOption, type CliContext } from '../../context.js';
import { quoted, table } from '../../format.js';
import { checkGroup, checkTopic, knownGroup } from './shared.js';

/** Builds `good-redis topic group`. */
export function groupCommand(ctx: CliContext): CommandUnknownOpts {
  const { io } = ctx;
  return new Command('group')
    .description('show a consumer group: its generation, and its members with their partitions and session expiry')
    .argument('<name>', 'the topic', checkTopic)
    .argument('<group>', 'the group', checkGroup)
    .addOption(jsonOption())
    .action(async (name, group, options, command) => {
      await ctx.session(command, false, async (session) => {
        const topic = await knownGroup(session, name, group);
        const [described, [seconds]] = await Promise.all([topic.describeGroup(group), session.client.time()]);
        if (options.json === true) {
          printJson(io.stdout, described);
          return;
        }
        const now = Number(seconds) * 1000;
        println(
          io.stdout,
          `Group ${quoted(group)} of topic ${quoted(name)}: generation ${String(described.generation)}, ${String(described.members.length)} member(s)`,
        );
        if (described.members.length === 0) return;
        const rows = described.members.map((m) => [m.id, m.partitions.join(', ') || '-', `in ${formatDuration(Math.max(0, m.expiresAt - now))}`]);
        for (const line of table([{ title: 'MEMBER' }, { title: 'PARTITIONS' }, { title: 'SESSION ENDS' }], rows, '  ')) println(io.stdout, line);
      });
    });
}
