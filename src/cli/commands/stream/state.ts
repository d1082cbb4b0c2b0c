/**
 * `good-redis state`: tell what one key is: queued, leased, delayed, dead, gated, cooling or absent.
 *
 * @module
 */
import { Command, type CommandUnknownOpts } from '@commander-js/extra-typings';
import type { KeyState } from '../../../prioritized/types.js';
import { formatDuration, printJson, println } from '../../cli-support.js';
import { checkKey, checkName, jsonOption, type CliContext } from '../../context.js';
import { escapeControls, formatPriority, quoted } from '../../format.js';
import { formatDue } from './shared.js';

/** Builds `good-redis state`. */
export function stateCommand(ctx: CliContext): CommandUnknownOpts {
  const { io } = ctx;
  return new Command('state')
    .description('tell what one key is: queued, leased, delayed, dead, gated, cooling or absent')
    .argument('<name>', 'the stream', checkName)
    .argument('<key>', 'the item key', checkKey)
    .addOption(jsonOption())
    .action(async (name, key, options, command) => {
      await ctx.session(command, false, async ({ registry }) => {
        const stream = registry.stream(name);
        const [state, { now }] = await Promise.all([stream.state(key), stream.stats()]);
        if (options.json === true) {
          printJson(io.stdout, { key, ...state });
          return;
        }
        println(io.stdout, `${quoted(key)} in ${quoted(name)}: ${describeState(state, now)}`);
      });
    });
}

/** One line about a key's state, for `state`. */
function describeState(s: KeyState, now: number): string {
  switch (s.state) {
    case 'queued':
      return `queued with priority ${formatPriority(s.priority)}${s.attempts > 0 ? ` (${String(s.attempts)} attempt(s) so far)` : ''}`;
    case 'leased':
      return `leased (attempt ${String(s.attempt)}) by ${s.owner === null ? 'an unnamed consumer' : escapeControls(s.owner)}, lease ends ${formatDue(s.deadline - now)}`;
    case 'delayed':
      return `delayed, joins the stream ${formatDue(s.due - now)} with priority ${formatPriority(s.priority)}`;
    case 'dead':
      return `dead after ${String(s.attempts)} attempt(s), ${formatDuration(Math.max(0, now - s.diedAt))} ago: ${s.error === null ? 'no error recorded' : escapeControls(s.error)}`;
    case 'gated':
      return 'gated: never added again without --readd';
    case 'cooling':
      return `cooling down, refused by add ${formatDue(s.until - now).replace(/^in /, 'for ')}`;
    case 'absent':
      return 'absent: an add would queue it';
  }
}
