/**
 * The task family's commands.
 *
 * @module
 */
import type { CommandFactory } from '../stream/index.js';
import { tasksCommand } from './tasks.js';
import { schedulerCommand } from './scheduler.js';
import { workerCommand } from './worker.js';

/** `good-redis task <verb>`. */
export const TASK_COMMANDS: readonly CommandFactory[] = [workerCommand, schedulerCommand];

/** The family's listing, top-level. */
export const TASK_TOOLS: readonly CommandFactory[] = [tasksCommand];

/** The family's daemons, top-level too (`good-redis worker` is `good-redis task worker`). */
export const TASK_DAEMONS: readonly CommandFactory[] = [workerCommand, schedulerCommand];
