/**
 * What every route group of the dashboard reads: its options and the readers made once for it,
 * and the object a route names.
 *
 * @module
 */
import type { Context } from 'hono';
import type { Registry } from 'prom-client';
import { GoodRedisError } from '../../errors.js';
import { isObjectFamily } from '../../observe/families.js';
import type { WorkerRegistry } from '../../observe/worker-registry.js';
import type { ObjectHistory } from '../../overview/history.js';
import type { ObjectCounts, ObjectInventory } from '../../overview/inventory.js';
import type { FamilyViews } from '../../overview/views.js';

/** The dashboard as its route groups see it. */
export interface DashboardContext {
  /** The path it is mounted under (starts and ends with `/`). */
  readonly base: string;
  /** The key prefix of the objects shown. */
  readonly prefix: string;
  /** Whether every action is hidden and every POST refused. */
  readonly readOnly: boolean;
  /** Every object of every family, with its counts. */
  readonly inventory: ObjectInventory;
  /** Every family's view. */
  readonly views: FamilyViews;
  /** The live workers and the paused objects. */
  readonly workers: WorkerRegistry;
  /** The history this dashboard records, if it records one. */
  readonly history: ObjectHistory | undefined;
  /** What the charts and rates read: the history it records, or (recording none) what others record. */
  readonly historyReader: ObjectHistory;
  /** The registry `/metrics` serves. */
  readonly metrics: Registry;
  /** The CSRF token of a request (set in a cookie on first use), for the forms of its page. */
  readonly csrfOf: (c: Context) => string;
}

/**
 * The object a route names (`:family/:name`), with its counts, or undefined when it is not
 * registered (or no object of its family can have that name).
 *
 * @param ctx - the dashboard
 * @param c - the request
 */
export async function objectOf(ctx: DashboardContext, c: Context): Promise<ObjectCounts | undefined> {
  const family = c.req.param('family');
  const name = c.req.param('name');
  if (!isObjectFamily(family) || name === undefined) return undefined;
  const ref = { family, name };
  try {
    if (!(await ctx.inventory.has(ref))) return undefined;
  } catch (err) {
    if (GoodRedisError.is(err, 'InvalidArgument')) return undefined; // no object can have that name
    throw err;
  }
  const [counts] = await ctx.inventory.counts([ref]);
  return counts;
}
