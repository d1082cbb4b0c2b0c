/**
 * The queues, unique queues and pools as the tools see them (see {@link FamilyView}).
 *
 * @module
 */
import type { RedisClient } from '../connection/redis-client.js';
import { isoTime, nextOffset, offsetOf, type FamilyKind, type FamilyView, type ItemPage } from '../observe/family-view.js';
import type { ObjectFamily, ObjectRef } from '../observe/families.js';
import { QueueRegistry } from './queue-registry.js';
import type { ReliableQueue } from './reliable-queue.js';

/** The families of this view: each is a kind of the one queue registry. */
const KINDS = ['queue', 'unique', 'pool'] as const satisfies readonly ObjectFamily[];

/** What the tools know of this family without a connection: its families and its work states. */
export const QUEUE_KIND: FamilyKind = { families: KINDS, states: { waiting: ['waiting'], inflight: ['processing', 'leased'], delayed: [], dead: [] } };

/**
 * The view of the queues, unique queues and pools registered under `prefix`.
 *
 * @param client - the connection
 * @param prefix - the key prefix
 * @returns the view
 */
export function queueView(client: RedisClient, prefix: string): FamilyView {
  const queues = new QueueRegistry(client, { prefix });
  const queue = ({ family, name }: ObjectRef): ReliableQueue<string> => queues.reliableQueue(name, family === 'unique' ? 'unique' : 'queue');
  return {
    ...QUEUE_KIND,
    list: async () => {
      const refs: ObjectRef[] = [];
      const entries = await queues.entries();
      for (const family of KINDS) for (const [name, kind] of entries) if (kind === family) refs.push({ family, name });
      return refs;
    },
    has: async ({ family, name }) => (await queues.kindOf(name)) === family,
    counts: async (object) => {
      if (object.family === 'pool') {
        const { size, due, leased, added } = await queues.pool(object.name).stats();
        return { states: { waiting: size - leased, due, leased }, added };
      }
      const { waiting, processing, consumers, deadConsumers, added } = await queue(object).stats();
      return { states: { waiting, processing, consumers, deadConsumers }, added };
    },
    details: async (object) => {
      if (object.family === 'pool') return {};
      const consumers = await queue(object).consumers();
      return {
        tables: [
          {
            id: 'consumers',
            title: 'Consumers, least recently heard from first',
            actions: consumers.some((c) => !c.alive) ? [{ action: 'reenqueue', label: "Give back the dead consumers' deliveries", params: {} }] : [],
            columns: ['consumer', 'last heartbeat', 'alive', 'holds', 'oldest held since', 'timeout'],
            rows: consumers.map((c) => [
              c.id,
              isoTime(c.lastHeartbeatAt),
              c.alive ? 'yes' : 'no',
              String(c.held),
              c.oldestHeldAt === null ? '' : isoTime(c.oldestHeldAt),
              `${String(c.consumerTimeoutMs)} ms`,
            ]),
          },
        ],
      };
    },
    items: async (object, state, cursor, limit): Promise<ItemPage | undefined> => {
      if (state !== 'waiting') return undefined;
      const offset = offsetOf(cursor);
      const range = { offset, limit: limit + 1 };
      const rows =
        object.family === 'pool'
          ? (await queues.pool(object.name).items(range)).map((e, i) => ({
              id: String(offset + i),
              fields: { value: e.value, dueAt: e.dueAt, leased: e.leased ? 1 : 0 },
            }))
          : (await queue(object).items(range)).map((value, i) => ({ id: String(offset + i), fields: { value } }));
      return { items: rows.slice(0, limit), cursor: nextOffset(offset, rows.length, limit) };
    },
    actions: {
      reenqueue: {
        families: ['queue', 'unique'], // a pool's leases run out by themselves
        params: [],
        confirm: (name) => [
          `Give back the deliveries held by the dead consumers of ${name}?`,
          'Every delivery of a consumer silent past its timeout goes back to the head of the queue; emptied consumers are removed. A consumer that was only slow finds its acks refused.',
        ],
        run: (object) => queue(object).reEnqueueTimeoutItems(),
        notice: (n) => `Gave back ${String(n)} ${n === 1 ? 'delivery' : 'deliveries'}.`,
      },
    },
  };
}
