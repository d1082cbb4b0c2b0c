/**
 * `good-redis add`: add one item (exit code 3 when the key is gated, cooling down, dead or in flight).
 *
 * @module
 */
import { Command, Option, type CommandUnknownOpts } from '@commander-js/extra-typings';
import type { RejectReason } from '../../../prioritized/types.js';
import { CliError, ExitCode, formatDuration, parseDuration, parseNumber, printJson, println, usage } from '../../cli-support.js';
import { checkKey, checkName, codecOption, jsonOption, type CliContext } from '../../context.js';
import { formatPriority, quoted } from '../../format.js';
import { storedValue } from '../../import.js';
import { ADD_MODES } from './shared.js';

/** Builds `good-redis add`. */
export function addItemCommand(ctx: CliContext): CommandUnknownOpts {
  const { io, outcome } = ctx;
  return new Command('add')
    .description('add one item (exit code 3 when the key is gated, cooling down, dead or in flight)')
    .argument('<name>', 'the stream (created if new)', checkName)
    .argument('<key>', 'the item key', checkKey)
    .argument('<value>', 'the value: a string, or JSON with --codec json')
    .addOption(new Option('-p, --priority <p>', 'a finite number; higher is pulled first').argParser(parseNumber('--priority')).default(1))
    .option('--readd', "clear the key's gating and cooldown first, and take it out of the dead letters")
    .addOption(new Option('--mode <mode>', 'the priority of a key already queued: add to it, replace it, or keep the higher').choices(ADD_MODES).default('sum'))
    .addOption(new Option('--delay <duration>', 'hold the item back this long (e.g. 30s, 10m) before it can be pulled').argParser(parseDuration('--delay')))
    .addOption(codecOption())
    .addOption(jsonOption())
    .action(async (name, key, value, options, command) => {
      const stored = storedValue(value, options.codec);
      if (typeof stored !== 'string') throw usage(stored.error);
      await ctx.session(command, false, async ({ registry }) => {
        const addOptions = { readd: options.readd === true, mode: options.mode, delayMs: options.delay };
        const [result] = await registry.stream(name).addManyDetailed([[key, stored, options.priority]], addOptions);
        if (result === undefined) throw new CliError('the add returned no result');
        if (options.json === true) printJson(io.stdout, { key, ...result });
        if (result.added) {
          const where = options.delay === undefined ? 'queued' : `delayed by ${formatDuration(options.delay)}`;
          if (options.json !== true) println(io.stdout, `${quoted(key)} is ${where} in ${quoted(name)} with priority ${formatPriority(result.priority)}`);
          return;
        }
        if (options.json !== true) println(io.stderr, `good-redis: ${quoted(key)} was not added to ${quoted(name)}: ${REJECTIONS[result.reason]}`);
        outcome.code = ExitCode.Partial;
      });
    });
}

const REJECTIONS: Readonly<Record<RejectReason, string>> = {
  gated: 'the key is gated (--readd adds it anyway)',
  cooling: 'the key is cooling down (--readd adds it anyway)',
  inFlight: 'the key is leased or delayed; it comes back to the stream by itself',
  dead: 'the key is a dead letter (replay it with `good-redis replay`, or --readd adds it anyway)',
};
