/**
 * The prioritized streams as the tools see them (see {@link FamilyView}).
 *
 * @module
 */
import type { RedisClient } from '../connection/redis-client.js';
import {
  deadLetterActions,
  isoTime,
  nextOffset,
  numberParam,
  offsetOf,
  type DeadRow,
  type DetailTable,
  type FamilyKind,
  type FamilyView,
  type ItemPage,
} from '../observe/family-view.js';
import type { PrioritizedStream } from './prioritized-stream.js';
import { StreamRegistry } from './stream-registry.js';

/** How many dead letters an object page lists. */
const DEAD_PAGE = 100;
/** How many items a page of a stream's items lists. */
const ITEM_PAGE = 50;
/** How many rows the other tables of an object page list. */
const TABLE_ROWS = 50;

/** What the tools know of this family without a connection: its families and its work states. */
export const STREAM_KIND: FamilyKind = { families: ['stream'], states: { waiting: ['waiting'], inflight: ['leased'], delayed: ['delayed'], dead: ['dead'] } };

/**
 * The view of the prioritized streams registered under `prefix`.
 *
 * @param client - the connection
 * @param prefix - the key prefix
 * @returns the view
 */
export function streamView(client: RedisClient, prefix: string): FamilyView {
  const streams = new StreamRegistry(client, { prefix });
  const stream = (name: string): PrioritizedStream => streams.stream(name);
  return {
    ...STREAM_KIND,
    lookup: 'item key',
    forms: {
      title: "Add an item, or raise a key's priority",
      forms: [
        {
          id: 'add-item',
          action: 'add',
          label: 'Add',
          fields: [
            { name: 'key', placeholder: 'key', required: true },
            { name: 'value', placeholder: 'value' },
            { name: 'priority', value: '1', size: 6 },
          ],
        },
        {
          id: 'increment-item',
          action: 'increment',
          label: 'Raise',
          fields: [
            { name: 'key', placeholder: 'key', required: true },
            { name: 'by', value: '1', size: 6 },
          ],
        },
      ],
    },
    list: async () => (await streams.names()).map((name) => ({ family: 'stream', name })),
    has: ({ name }) => streams.has(name),
    counts: async ({ name }) => {
      const { length, gated, cooling, leased, delayed, dead, added } = await stream(name).stats();
      return { states: { waiting: length, gated, cooling, leased, delayed, dead }, added };
    },
    details: async ({ name }, { key, page, path }) => {
      const s = stream(name);
      const [items, cooldowns, leases, delayed, deadLetters, value] = await Promise.all([
        s.entries({ offset: page * ITEM_PAGE, limit: ITEM_PAGE + 1 }),
        s.cooldowns({ limit: TABLE_ROWS }),
        s.leases({ limit: TABLE_ROWS }),
        s.delayed({ limit: TABLE_ROWS }),
        s.deadLetters({ limit: DEAD_PAGE }),
        key === undefined || key === '' ? undefined : s.get(key),
      ]);
      const dead: DeadRow[] = deadLetters.map((d) => ({
        ref: d.key,
        cells: [d.key, String(d.priority), String(d.attempts), d.error ?? '', isoTime(d.diedAt)],
      }));
      const tables: DetailTable[] = [
        {
          id: 'items',
          title: `Items, highest priority first (from rank ${String(page * ITEM_PAGE + 1)})`,
          columns: ['key', 'priority', 'value'],
          rows: items.slice(0, ITEM_PAGE).map((i) => [i.key, String(i.priority), i.value]),
          rowActions: items.slice(0, ITEM_PAGE).map((i) => [
            { action: 'increment', label: '+1', params: { key: i.key, by: '1' } },
            { action: 'delete', label: 'Delete', params: { ref: i.key } },
          ]),
          next: items.length > ITEM_PAGE ? `${path}?page=${String(page + 1)}` : undefined,
        },
        { id: 'cooldowns', title: 'Cooldowns ending soonest', columns: ['key', 'until'], rows: cooldowns.map((c) => [c.key, isoTime(c.until)]) },
        {
          id: 'leases',
          title: 'Leases, ending soonest',
          columns: ['key', 'attempt', 'deadline', 'owner'],
          rows: leases.map((l) => [l.key, String(l.attempt), isoTime(l.deadline), l.owner ?? '']),
        },
        {
          id: 'delayed',
          title: 'Delayed, due soonest',
          columns: ['key', 'due', 'priority', 'attempts'],
          rows: delayed.map((d) => [d.key, isoTime(d.due), String(d.priority), String(d.attempts)]),
        },
      ];
      const lookup = key === undefined || key === '' ? undefined : { key, value: value ?? null };
      return { deadColumns: ['key', 'priority', 'attempts', 'error', 'died'], dead, lookup, tables };
    },
    items: async ({ name }, state, cursor, limit): Promise<ItemPage | undefined> => {
      const s = stream(name);
      const offset = offsetOf(cursor);
      const range = { offset, limit: limit + 1 };
      const page = (rows: readonly { id: string; fields: Record<string, string | number | null> }[]): ItemPage => ({
        items: rows.slice(0, limit),
        cursor: nextOffset(offset, rows.length, limit),
      });
      switch (state) {
        case 'waiting':
          return page((await s.entries(range)).map((i) => ({ id: i.key, fields: { value: i.value, priority: i.priority } })));
        case 'leased':
          return page((await s.leases(range)).map((l) => ({ id: l.key, fields: { attempt: l.attempt, deadline: l.deadline, owner: l.owner } })));
        case 'delayed':
          return page((await s.delayed(range)).map((d) => ({ id: d.key, fields: { due: d.due, priority: d.priority, attempts: d.attempts } })));
        case 'dead':
          return page(
            (await s.deadLetters(range)).map((d) => ({ id: d.key, fields: { priority: d.priority, attempts: d.attempts, error: d.error, diedAt: d.diedAt } })),
          );
        default:
          return undefined;
      }
    },
    actions: {
      ...deadLetterActions(
        async ({ name }, refs) => (await stream(name).replayDead(refs)).length,
        async ({ name }, refs) => (await stream(name).purgeDead(refs)).length,
      ),
      add: {
        params: ['key', 'value', 'priority'],
        confirm: (name, params) => [
          `Add ${params.key ?? ''} to ${name} with priority ${params.priority ?? '1'}?`,
          "As add() does: a queued key's priority is raised by it; a key gated, cooling down, leased, delayed or dead is refused.",
        ],
        run: async ({ name }, params) => ((await stream(name).add(params.key ?? '', params.value ?? '', numberParam(params, 'priority', 1))) === null ? 0 : 1),
        notice: (n) => (n === 1 ? 'Added.' : 'Refused: the key is gated, cooling down, leased, delayed or dead.'),
      },
      increment: {
        params: ['key', 'by'],
        confirm: (name, params) => [
          `Raise the priority of ${params.key ?? ''} in ${name} by ${params.by ?? '1'}?`,
          'Only a queued key changes (a negative amount lowers it).',
        ],
        run: async ({ name }, params) => ((await stream(name).increment(params.key ?? '', numberParam(params, 'by', 1))) === null ? 0 : 1),
        notice: (n) => (n === 1 ? 'Raised.' : 'Not queued: nothing changed.'),
      },
      delete: {
        params: ['ref'],
        confirm: (name, { ref }) => [`Delete ${ref ?? ''} from ${name}?`, 'It leaves the stream, queued, leased or delayed alike.'],
        run: async ({ name }, { ref }) => (await stream(name).remove([ref ?? ''])).length,
        notice: (n) => (n === 1 ? 'Deleted.' : 'Not in the stream: nothing changed.'),
      },
    },
  };
}
