/**
 * The topic family's commands.
 *
 * @module
 */
import type { CommandFactory } from '../stream/index.js';
import { deadCommand, purgeDeadCommand, replayCommand } from './dead.js';
import { describeTopicCommand } from './describe.js';
import { groupCommand } from './group.js';
import { partitionsCommand, sendCommand } from './send.js';
import { topicsCommand } from './topics.js';

/** `good-redis topic <verb>`. */
export const TOPIC_COMMANDS: readonly CommandFactory[] = [
  describeTopicCommand,
  groupCommand,
  deadCommand,
  replayCommand,
  purgeDeadCommand,
  sendCommand,
  partitionsCommand,
];

/** The family's listing, top-level. */
export const TOPIC_TOOLS: readonly CommandFactory[] = [topicsCommand];
