/**
 * Every object of every family under one prefix, found through the families' registries (no
 * `SCAN`), with its counts by state read in one atomic read per object: what the metrics
 * export and the dashboard shows.
 *
 * @module
 */
import type { RedisClient } from '../connection/redis-client.js';
import { assertPrefix, invalid, optionsOf } from '../internal/validate.js';
import { isObjectFamily, OBJECT_FAMILIES, type ObjectFamily, type ObjectRef } from '../observe/families.js';
import type { ObjectCounts } from '../observe/family-view.js';
import { FamilyViews } from './views.js';

export { OBJECT_FAMILIES, type ObjectFamily, type ObjectRef } from '../observe/families.js';
export type { ObjectCounts } from '../observe/family-view.js';

/** Options of {@link ObjectInventory}. */
export interface ObjectInventoryOptions {
  /**
   * The key prefix of the registries and their objects.
   *
   * @defaultValue `''`
   */
  prefix?: string | undefined;
  /**
   * The families to list.
   *
   * @defaultValue all of {@link OBJECT_FAMILIES}
   */
  families?: readonly ObjectFamily[] | undefined;
}

/**
 * Every object of every family under one prefix, from the families' registries, with its counts
 * by state. Reads only: nothing here writes to Redis.
 *
 * @example
 * ```ts
 * const inventory = new ObjectInventory(redis);
 * for (const { family, name, states } of await inventory.counts()) console.log(family, name, states);
 * ```
 */
export class ObjectInventory {
  /** The connection (never closed by the inventory). */
  public readonly client: RedisClient;
  /** The key prefix. */
  public readonly prefix: string;
  /** The families listed. */
  public readonly families: readonly ObjectFamily[];
  /** Every family's view, on this connection and prefix. */
  public readonly views: FamilyViews;

  /**
   * @param client - the connection (standalone, Sentinel or Cluster)
   * @param options - `prefix`, `families`
   * @throws {@link GoodRedisError} `InvalidArgument` for a bad prefix or an unknown family
   */
  public constructor(client: RedisClient, options: ObjectInventoryOptions = {}) {
    options = optionsOf(options);
    this.prefix = options.prefix ?? '';
    assertPrefix(this.prefix);
    const families: unknown = options.families ?? OBJECT_FAMILIES;
    if (!Array.isArray(families) || families.some((f) => !isObjectFamily(f))) {
      throw invalid(`families must be an array of ${OBJECT_FAMILIES.join(', ')}`);
    }
    this.families = [...(families as ObjectFamily[])];
    this.client = client;
    this.views = new FamilyViews(client, this.prefix);
  }

  /** The registered objects of the listed families, by family then name (one read per registry). */
  public async list(): Promise<ObjectRef[]> {
    const views = this.views.all.filter((view) => view.families.some((family) => this.families.includes(family)));
    const listed = (await Promise.all(views.map((view) => view.list()))).flat();
    return listed.filter((ref) => this.families.includes(ref.family));
  }

  /**
   * Whether an object is registered: one membership read in its family's registry (no listing).
   *
   * @param ref - the family and name
   * @returns false for a family this inventory does not list
   * @throws {@link GoodRedisError} `InvalidArgument` for a name its family refuses
   */
  public async has(ref: ObjectRef): Promise<boolean> {
    return this.families.includes(ref.family) && this.views.of(ref.family).has(ref);
  }

  /**
   * The counts of every listed object (see {@link ObjectCounts} for the states): the reads of all
   * objects are sent together, not one after the other.
   *
   * @param refs - the objects, from {@link list} (read when left out)
   */
  public async counts(refs?: readonly ObjectRef[]): Promise<ObjectCounts[]> {
    const objects = refs ?? (await this.list());
    return Promise.all(objects.map(async (ref) => ({ ...ref, ...(await this.views.of(ref.family).counts(ref)) })));
  }
}
