/**
 * The stream family's commands, in the order `good-redis --help` lists them.
 *
 * @module
 */
import type { CommandUnknownOpts } from '@commander-js/extra-typings';
import type { CliContext } from '../../context.js';
import { addItemCommand } from './add.js';
import { deadCommand } from './dead.js';
import { decrementAllCommand } from './decrement-all.js';
import { deleteBelowCommand } from './delete-below.js';
import { deleteStreamCommand } from './delete.js';
import { expireCommand } from './expire.js';
import { expirerCommand } from './expirer.js';
import { importItemsCommand } from './import.js';
import { incrementCommand } from './increment.js';
import { inspectCommand } from './inspect.js';
import { leasesCommand } from './leases.js';
import { pullCommand } from './pull.js';
import { purgeDeadCommand } from './purge-dead.js';
import { replayCommand } from './replay.js';
import { stateCommand } from './state.js';
import { streamsCommand } from './streams.js';
import { topCommand } from './top.js';

/** Builds one command for a run of the program. */
export type CommandFactory = (ctx: CliContext) => CommandUnknownOpts;

/** The commands on one stream: `good-redis stream <verb>`, and `good-redis <verb>` as before. */
export const STREAM_COMMANDS: readonly CommandFactory[] = [
  inspectCommand,
  addItemCommand,
  pullCommand,
  incrementCommand,
  decrementAllCommand,
  deleteBelowCommand,
  deadCommand,
  replayCommand,
  purgeDeadCommand,
  leasesCommand,
  stateCommand,
  deleteStreamCommand,
  importItemsCommand,
];

/** The family's top-level tools: the listing first, then the sweeps, the daemon and the live view. */
export const STREAM_TOOLS: readonly CommandFactory[] = [streamsCommand, expireCommand, expirerCommand, topCommand];
