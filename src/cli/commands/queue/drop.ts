/**
 * `good-redis queue drop`: delete dead (or silent, or all) consumers' deliveries.
 *
 * @module
 */
import { Command, Option, type CommandUnknownOpts } from '@commander-js/extra-typings';
import { CliError, parseDuration, printJson, println, usage } from '../../cli-support.js';
import { checkName, confirm, jsonOption, type CliContext } from '../../context.js';
import { quoted } from '../../format.js';
import { consumerQueue, queueRegistryOf } from './shared.js';

/** Builds `good-redis queue drop`. */
export function dropCommand(ctx: CliContext): CommandUnknownOpts {
  const { io } = ctx;
  return new Command('drop')
    .description("delete consumers' deliveries: dead ones (default), silent longer than --timeout, or --all (asks first on a terminal)")
    .argument('<name>', 'the queue', checkName)
    .addOption(new Option('--timeout <duration>', 'consumers silent longer than this (e.g. 30s); 0 for every consumer').argParser(parseDuration('--timeout')))
    .option('--all', "every consumer's deliveries, live ones included")
    .option('-y, --yes', 'do not ask')
    .addOption(jsonOption())
    .action(async (name, options, command) => {
      if (options.all === true && options.timeout !== undefined) throw usage('give --timeout or --all, not both');
      await ctx.session(command, false, async (session) => {
        const queue = await consumerQueue(queueRegistryOf(session), name);
        if (options.yes !== true) {
          if (io.stdin.isTTY !== true) throw usage(`refusing to drop deliveries of ${quoted(name)} without --yes: there is no terminal to ask on`);
          const { processing } = await queue.stats();
          if (!(await confirm(io, `Drop deliveries of ${quoted(name)} (${String(processing)} held in all)? This cannot be undone. [y/N] `)))
            throw new CliError('nothing was dropped');
        }
        const dropped = options.all === true ? await queue.dropAllItems() : await queue.dropTimeoutItems(options.timeout);
        if (options.json === true) printJson(io.stdout, { dropped });
        else println(io.stdout, `dropped ${String(dropped)} deliver${dropped === 1 ? 'y' : 'ies'} of ${quoted(name)}`);
      });
    });
}
