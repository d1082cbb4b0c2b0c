/**
 * `good-redis streams`: list every registered stream with its counts.
 *
 * @module
 */
import { Command, type CommandUnknownOpts } from '@commander-js/extra-typings';
import { printJson, println } from '../../cli-support.js';
import { jsonOption, type CliContext } from '../../context.js';
import { table } from '../../format.js';
import { countsOf } from './shared.js';

/** Builds `good-redis streams`. */
export function streamsCommand(ctx: CliContext): CommandUnknownOpts {
  const { io } = ctx;
  return new Command('streams')
    .description('list every registered stream with its counts')
    .addOption(jsonOption())
    .action(async (options, command) => {
      await ctx.session(command, false, async ({ registry, prefix }) => {
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
}
