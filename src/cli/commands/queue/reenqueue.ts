/**
 * `good-redis queue reenqueue`: give dead (or silent, or all) consumers' deliveries back to the head.
 *
 * @module
 */
import { Command, Option, type CommandUnknownOpts } from '@commander-js/extra-typings';
import { parseDuration, printJson, println, usage } from '../../cli-support.js';
import { checkName, jsonOption, type CliContext } from '../../context.js';
import { quoted } from '../../format.js';
import { consumerQueue, queueRegistryOf } from './shared.js';

/** Builds `good-redis queue reenqueue`. */
export function reenqueueCommand(ctx: CliContext): CommandUnknownOpts {
  const { io } = ctx;
  return new Command('reenqueue')
    .description("give consumers' deliveries back to the head: dead ones (default), silent longer than --timeout, or --all")
    .argument('<name>', 'the queue', checkName)
    .addOption(new Option('--timeout <duration>', 'consumers silent longer than this (e.g. 30s); 0 for every consumer').argParser(parseDuration('--timeout')))
    .option('--all', "every consumer's deliveries, live ones included")
    .addOption(jsonOption())
    .action(async (name, options, command) => {
      if (options.all === true && options.timeout !== undefined) throw usage('give --timeout or --all, not both');
      await ctx.session(command, false, async (session) => {
        const queue = await consumerQueue(queueRegistryOf(session), name);
        const reEnqueued = options.all === true ? await queue.reEnqueueAllItems() : await queue.reEnqueueTimeoutItems(options.timeout);
        if (options.json === true) printJson(io.stdout, { reEnqueued });
        else println(io.stdout, `gave ${String(reEnqueued)} deliver${reEnqueued === 1 ? 'y' : 'ies'} back to ${quoted(name)}`);
      });
    });
}
