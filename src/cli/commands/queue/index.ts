/**
 * The queue family's commands.
 *
 * @module
 */
import type { CommandFactory } from '../stream/index.js';
import { dropCommand } from './drop.js';
import { inspectQueueCommand } from './inspect.js';
import { purgeCommand } from './purge.js';
import { queuesCommand } from './queues.js';
import { reenqueueCommand } from './reenqueue.js';

/** `good-redis queue <verb>`. */
export const QUEUE_COMMANDS: readonly CommandFactory[] = [inspectQueueCommand, reenqueueCommand, dropCommand, purgeCommand];

/** The family's listing, top-level. */
export const QUEUE_TOOLS: readonly CommandFactory[] = [queuesCommand];
