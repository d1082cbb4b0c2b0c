/**
 * The topics as the tools see them (see {@link FamilyView}).
 *
 * @module
 */
import type { RedisClient } from '../connection/redis-client.js';
import { isoTime, type DetailTable, type FamilyKind, type FamilyView } from '../observe/family-view.js';
import { TopicRegistry } from './topic-registry.js';

/** What the tools know of this family without a connection: its families and its work states. */
export const TOPIC_KIND: FamilyKind = { families: ['topic'], states: { waiting: ['messages'], inflight: ['pending'], delayed: [], dead: [] } };

/**
 * The view of the topics registered under `prefix`. A topic's items (its messages by partition,
 * a group's pending entries) are not listed yet: {@link FamilyView.items} answers undefined.
 *
 * @param client - the connection
 * @param prefix - the key prefix
 * @returns the view
 */
export function topicView(client: RedisClient, prefix: string): FamilyView {
  const topics = new TopicRegistry(client, { prefix });
  return {
    ...TOPIC_KIND,
    actions: {},
    list: async () => (await topics.names()).map((name) => ({ family: 'topic', name })),
    has: ({ name }) => topics.has(name),
    counts: async ({ name }) => {
      const { messages, partitions, groups, pending, lag, added } = await topics.topic(name).stats();
      return { states: { messages, partitions, groups, pending, lag }, added };
    },
    details: async ({ name }) => {
      const topic = topics.topic(name);
      const groups = await Promise.all((await topic.groups()).map((g) => topic.describeGroup(g)));
      return {
        tables: groups.flatMap((g): DetailTable[] => [
          {
            id: `group-${g.group}`,
            title: `Group ${g.group} (generation ${String(g.generation)}): partitions`,
            columns: ['partition', 'owner', 'pending', 'lag'],
            rows: g.partitions.map((p) => [String(p.partition), p.owner ?? '', String(p.pending), p.lag === null ? '?' : String(p.lag)]),
          },
          {
            id: `members-${g.group}`,
            title: `Group ${g.group}: members`,
            columns: ['member', 'partitions', 'session ends'],
            rows: g.members.map((m) => [m.id, m.partitions.join(', '), isoTime(m.expiresAt)]),
          },
        ]),
      };
    },
    items: () => Promise.resolve(undefined),
  };
}
