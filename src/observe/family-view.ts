/**
 * The face each family shows the tools (the inventory, the metrics, the history, the dashboard,
 * `good-redis top`): its registry, its counts in one vocabulary, the details of an object's page,
 * the items of one state, and its actions. The tools iterate the views and never switch on a
 * family's name, so a family, or a column of every listing, is added in one place.
 *
 * @module
 */
import type { RedisClient } from '../connection/redis-client.js';
import { invalid } from '../internal/validate.js';
import type { ObjectFamily, ObjectRef } from './families.js';
import type { WorkerInfo } from './worker-registry.js';

/**
 * An object's counts by state, read at one moment (one script for a stream, a queue, a pool or
 * a task queue; a topic's partitions live in several slots, so its counts are read per slot).
 *
 * Each family counts in its own words (its view's {@link FamilyView.states} say which of them
 * are waiting, in flight, delayed and dead work):
 * - `stream`: `waiting` (queued items), `gated`, `cooling`, `leased`, `delayed`, `dead`;
 * - `queue`, `unique`: `waiting`, `processing` (held deliveries), `consumers`, `deadConsumers`;
 * - `pool`: `waiting` (items not leased), `due`, `leased`;
 * - `topic`: `messages` (entries kept, all partitions), `partitions`, `groups`, `pending`
 *   (delivered and not acked, all groups), `lag` (entries no group member has read yet, all
 *   groups; groups whose lag Redis cannot tell count 0);
 * - `taskQueue`: `waiting`, `active`, `delayed`, `dead`, `schedules`.
 */
export interface ObjectCounts extends ObjectRef {
  /** The counts by state. */
  readonly states: Readonly<Record<string, number>>;
  /**
   * What producers added to it in total, as its add scripts count it in its own slot: a stream's
   * accepted adds (its count restarts after a day without adds or pulls), a queue's or a pool's
   * values that came to wait, a topic's messages sent, a task queue's tasks sent and fired by
   * schedules (a pub/sub broker's broadcasts are not counted). Retries, replays and deliveries
   * given back are not adds. The dashboard's add rates and the metrics' adds counter read it.
   */
  readonly added: number;
}

/** The one vocabulary of work the tools share: which of a family's states are work waiting, in flight, delayed and dead. */
export interface WorkStates {
  /** Work that waits to be taken (`waiting`, a topic's `messages`). */
  readonly waiting: readonly string[];
  /** Work taken and not settled (`leased`, `processing`, `active`, `pending`). */
  readonly inflight: readonly string[];
  /** Work that waits for its time (`delayed`). */
  readonly delayed: readonly string[];
  /** Work that failed for good (`dead`). */
  readonly dead: readonly string[];
}

/** An action's parameters, by name. */
export type ActionParams = Readonly<Record<string, string>>;

/** One action of a family on its objects, shown behind a confirmation. */
export interface ObjectAction {
  /** The families of its view it applies to (default: all of them). */
  readonly families?: readonly ObjectFamily[] | undefined;
  /** The parameters it takes (from its form, through its confirmation): `ref` names a dead letter, an item's key or a schedule. */
  readonly params: readonly string[];
  /**
   * What its confirmation asks and explains.
   *
   * @param name - the object's name
   * @param params - the action's parameters
   */
  confirm(name: string, params: ActionParams): readonly [question: string, explanation: string];
  /**
   * Runs it (one script, or one per chunk).
   *
   * @param object - the object
   * @param params - the action's parameters
   * @returns how many things it changed
   * @throws {@link GoodRedisError} `InvalidArgument` for a bad parameter, nothing written
   */
  run(object: ObjectRef, params: ActionParams): Promise<number>;
  /**
   * What the page says after it ran.
   *
   * @param n - what {@link run} returned
   */
  notice(n: number): string;
}

/** An action button of an object page's table. */
export interface RowAction {
  /** The action's name. */
  readonly action: string;
  /** Its button's label. */
  readonly label: string;
  /** Its parameters. */
  readonly params: ActionParams;
}

/** A table of an object page. */
export interface DetailTable {
  /** Its element id. */
  readonly id: string;
  /** Its heading. */
  readonly title: string;
  /** Its column titles. */
  readonly columns: readonly string[];
  /** Its rows, cell by cell. */
  readonly rows: readonly (readonly string[])[];
  /** The link to the next page of rows, when there is one. */
  readonly next?: string | undefined;
  /** Per row, its actions (a last cell of buttons, hidden when read-only). */
  readonly rowActions?: readonly (readonly RowAction[])[] | undefined;
  /** The table's own actions (buttons above it, hidden when read-only). */
  readonly actions?: readonly RowAction[] | undefined;
}

/** One row of a dead letter table. */
export interface DeadRow {
  /** What identifies it to a replay or purge (a stream's key, a task queue's dead letter id). */
  readonly ref: string;
  /** What the table shows of it, column by column. */
  readonly cells: readonly string[];
}

/** A form of an object page that leads to an action's confirmation (a stream's add, its raise). */
export interface ActionForm {
  /** Its element id. */
  readonly id: string;
  /** The action it asks for. */
  readonly action: string;
  /** Its button's label. */
  readonly label: string;
  /** Its inputs. */
  readonly fields: readonly FormField[];
}

/** One input of an {@link ActionForm}. */
export interface FormField {
  /** The action's parameter it gives. */
  readonly name: string;
  /** What it shows while empty. */
  readonly placeholder?: string;
  /** Its value to start with. */
  readonly value?: string;
  /** Whether the form needs it. */
  readonly required?: boolean;
  /** Its width, in characters. */
  readonly size?: number;
}

/** The forms of an object page, under one heading. */
export interface ActionForms {
  /** Their heading. */
  readonly title: string;
  /** The forms. */
  readonly forms: readonly ActionForm[];
}

/** What an object page shows of its family, beyond its counts. */
export interface FamilyDetails {
  /** The dead letters' column titles, when the family has dead letters the dashboard acts on (`replay`, `purge`). */
  readonly deadColumns?: readonly string[];
  /** The first dead letters, oldest first. */
  readonly dead?: readonly DeadRow[];
  /** A lookup by key: the key asked for, and its value. */
  readonly lookup?: Lookup | undefined;
  /** The family's own tables, in order (a stream's top items and leases, a queue's consumers, a topic's groups, a task queue's schedules). */
  readonly tables?: readonly DetailTable[];
}

/** What a lookup by key found. */
export interface Lookup {
  /** The key asked for. */
  readonly key: string;
  /** Its value, or null when it is not there. */
  readonly value: string | null;
}

/** What an object page asks of its family's view. */
export interface DetailsQuery {
  /** A key to look up (its view's {@link FamilyView.lookup}). */
  readonly key?: string | undefined;
  /** The page of its items, from 0. */
  readonly page: number;
  /** The page's path (for its next-page links). */
  readonly path: string;
  /** The object's registered workers (a task queue lists the results they finished last). */
  readonly workers: readonly WorkerInfo[];
}

/** One item of an object, as its family shows it. */
export interface ObjectItem {
  /** What names it in its object (a stream's key, a queue value's rank). */
  readonly id: string;
  /** Its fields (its value, priority, attempts, times as epoch ms, …). */
  readonly fields: Readonly<Record<string, string | number | null>>;
}

/** One page of an object's items of one state. */
export interface ItemPage {
  /** The items. */
  readonly items: readonly ObjectItem[];
  /** Where the next page starts, or undefined on the last. */
  readonly cursor: string | undefined;
}

/** What a family's view says of it without a connection: the families it serves, and its work states. */
export interface FamilyKind {
  /** The families it serves (the queue family: `queue`, `unique`, `pool`). */
  readonly families: readonly ObjectFamily[];
  /** Which of its states are work waiting, in flight, delayed and dead. */
  readonly states: WorkStates;
}

/** A family's face for the tools, bound to one connection and prefix. */
export interface FamilyView extends FamilyKind {
  /** What its objects' pages look keys up by, if anything (a stream: `item key`). */
  readonly lookup?: string | undefined;
  /** The forms its objects' pages show (each leads to one of its actions). */
  readonly forms?: ActionForms | undefined;
  /** Its actions, by name, beyond the pause and resume every object has. */
  readonly actions: Readonly<Record<string, ObjectAction>>;
  /** The registered objects, by name (one registry read). */
  list(): Promise<ObjectRef[]>;
  /**
   * Whether an object is registered (one registry read, no listing).
   *
   * @throws {@link GoodRedisError} `InvalidArgument` for a name its family refuses
   */
  has(object: ObjectRef): Promise<boolean>;
  /** An object's counts by state, and what was added to it in total. */
  counts(object: ObjectRef): Promise<Pick<ObjectCounts, 'states' | 'added'>>;
  /** What an object's page shows of it. */
  details(object: ObjectCounts, query: DetailsQuery): Promise<FamilyDetails>;
  /**
   * One page of an object's items of one state (those it can page today; the dashboard's item
   * views build on it).
   *
   * @param state - one of its {@link states}' words
   * @param cursor - where to start ('' or undefined: the start)
   * @param limit - the most items
   * @returns the page, or undefined for a state it cannot list
   */
  items(object: ObjectRef, state: string, cursor: string | undefined, limit: number): Promise<ItemPage | undefined>;
}

/** Makes a family's view on a connection and a prefix. */
export type FamilyViewOf = (client: RedisClient, prefix: string) => FamilyView;

/**
 * Reads an offset cursor (what a view that pages by rank hands out): a whole number, or 0.
 *
 * @param cursor - the cursor
 */
export function offsetOf(cursor: string | undefined): number {
  const n = Number(cursor ?? 0);
  return Number.isSafeInteger(n) && n >= 0 ? n : 0;
}

/**
 * The cursor after a page read by rank, undefined when it was the last.
 *
 * @param offset - where the page started
 * @param read - how many items the read gave (it asked for one more than the page)
 * @param limit - the page's size
 */
export function nextOffset(offset: number, read: number, limit: number): string | undefined {
  return read > limit ? String(offset + limit) : undefined;
}

/**
 * A server-clock time as the pages show it: ISO 8601.
 *
 * @param ms - epoch ms
 */
export function isoTime(ms: number): string {
  return new Date(ms).toISOString();
}

/**
 * Reads a number parameter of an action: `fallback` when it is missing or blank.
 *
 * @param params - the action's parameters
 * @param name - the parameter
 * @param fallback - its default
 * @throws {@link GoodRedisError} `InvalidArgument` when it is no finite number
 */
export function numberParam(params: ActionParams, name: string, fallback: number): number {
  const text = params[name];
  if (text === undefined || text.trim() === '') return fallback;
  const n = Number(text);
  if (!Number.isFinite(n)) throw invalid(`${name} must be a number, got ${JSON.stringify(text)}`);
  return n;
}

/**
 * The `replay` and `purge` actions of a family whose objects keep dead letters (one, by `ref`, or
 * all): what their confirmations ask and their notices say is the same in every family.
 *
 * @param replay - replays the named dead letters (all when undefined) of an object; how many
 * @param purge - purges them; how many
 * @returns the two actions
 */
export function deadLetterActions(
  replay: (object: ObjectRef, refs: readonly string[] | undefined) => Promise<number>,
  purge: (object: ObjectRef, refs: readonly string[] | undefined) => Promise<number>,
): Record<'replay' | 'purge', ObjectAction> {
  const what = (ref: string | undefined): string => (ref === undefined ? 'every dead letter' : `the dead letter ${ref}`);
  const refsOf = (ref: string | undefined): readonly string[] | undefined => (ref === undefined ? undefined : [ref]);
  const count = (n: number): string => `${String(n)} ${n === 1 ? 'dead letter' : 'dead letters'}`;
  return {
    replay: {
      params: ['ref'],
      confirm: (name, { ref }) => [`Replay ${what(ref)} of ${name}?`, 'It goes back to be consumed again, its attempts starting over.'],
      run: (object, { ref }) => replay(object, refsOf(ref)),
      notice: (n) => `Replayed ${count(n)}.`,
    },
    purge: {
      params: ['ref'],
      confirm: (name, { ref }) => [`Purge ${what(ref)} of ${name}?`, 'It is deleted for good.'],
      run: (object, { ref }) => purge(object, refsOf(ref)),
      notice: (n) => `Purged ${count(n)}.`,
    },
  };
}
