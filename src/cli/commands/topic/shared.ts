/**
 * What the topic commands share: checking names, and finding a registered topic and its groups.
 *
 * @module
 */
import type { RedisClient } from '../../../connection/redis-client.js';
import { type Topic } from '../../../topics/topic.js';
import { assertGroupName, assertTopicName } from '../../../topics/topic-keys.js';
import { TopicRegistry } from '../../../topics/topic-registry.js';
import { CliError, usage } from '../../cli-support.js';
import { quoted } from '../../format.js';

/** Checks a topic name argument: a bad name is a usage error (`InvalidArgument`), before connecting. */
export function checkTopic(name: string): string {
  assertTopicName(name);
  return name;
}

/** Checks a group name argument, as {@link checkTopic} does. */
export function checkGroup(group: string): string {
  assertGroupName(group);
  return group;
}

/** The topic registry of a session. */
export function topicRegistryOf(session: { client: RedisClient; prefix: string }): TopicRegistry {
  return new TopicRegistry(session.client, { prefix: session.prefix });
}

/**
 * A registered topic; a one-line error for an unknown name.
 *
 * @throws {@link CliError} for a name the registry does not know
 */
export async function knownTopic(session: { client: RedisClient; prefix: string }, name: string): Promise<Topic> {
  const registry = topicRegistryOf(session);
  if (!(await registry.has(name))) throw new CliError(`unknown topic ${quoted(name)}: it is not registered (good-redis topics lists the topics)`);
  return registry.topic(name);
}

/**
 * A registered topic and one of its groups; a one-line error for an unknown one.
 *
 * @throws {@link CliError} for an unknown topic or group
 */
export async function knownGroup(session: { client: RedisClient; prefix: string }, name: string, group: string): Promise<Topic> {
  const topic = await knownTopic(session, name);
  if (!(await topic.groups()).includes(group))
    throw new CliError(`unknown group ${quoted(group)} of topic ${quoted(name)} (good-redis topic describe lists its groups)`);
  return topic;
}

/** Parses `partition:deadId` references. */
export function parseDeadRefs(refs: readonly string[]): { partition: number; deadId: string }[] {
  return refs.map((ref) => {
    const match = /^(\d+):(\d+-\d+)$/.exec(ref);
    if (match === null) throw usage(`a dead letter is named partition:deadId (such as 2:1700000000000-0), got ${quoted(ref)}`);
    return { partition: Number(match[1]), deadId: String(match[2]) };
  });
}
