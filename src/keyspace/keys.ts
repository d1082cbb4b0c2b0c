/**
 * The one place Redis key names are made. Every key of one object carries the object's
 * `{hash tag}`, so the object lives in one Redis Cluster slot and each script may name all of
 * its keys in `KEYS`:
 *
 * ```text
 * <prefix><family tag>{<name>}:<role suffix>     e.g. P{orders}:t (a stream), P:q{orders}:list
 * <prefix>:<family>:keys                          the family's registry of names
 * ```
 *
 * Prioritized streams keep their documented layout (no family tag: `P{name}:t`); each new
 * family puts a short tag before the hash tag, so names never collide across families.
 *
 * @module
 */
import { assertObjectName, assertPrefix } from '../internal/validate.js';
import type { KeyType } from '../scripting/script-set.js';

/** The layout of one family's objects: its tag and the suffix of each of an object's keys by role. */
export interface KeyLayout<Role extends string> {
  /** Names the objects in errors, e.g. `stream`. */
  readonly what: string;
  /** Put before the hash tag: `''` for prioritized streams, `:q` for queues, … */
  readonly tag: string;
  /** The suffix after `{name}:` of each key, by role. */
  readonly suffixes: Readonly<Record<Role, string>>;
  /** What each key holds, by role: the scripts refuse a key of another type before they write. */
  readonly types: Readonly<Record<Role, KeyType>>;
}

/**
 * Builds the keys of the object `name` under `prefix`, one per role of the layout.
 *
 * @param layout - the family's layout
 * @param name - the object's name (non-empty, without `{` or `}`)
 * @param prefix - the key prefix (without `{` or `}`)
 * @returns the keys by role
 * @throws {@link GoodRedisError} `InvalidArgument` for a bad name or prefix
 */
export function objectKeys<Role extends string>(layout: KeyLayout<Role>, name: string, prefix = ''): Record<Role, string> {
  assertObjectName(name, layout.what);
  assertPrefix(prefix);
  const tag = `${prefix}${layout.tag}{${name}}:`;
  const keys = {} as Record<Role, string>;
  for (const role of Object.keys(layout.suffixes) as Role[]) keys[role] = tag + layout.suffixes[role];
  return keys;
}

/**
 * The glob that matches every key of a layout's objects under `prefix` (`P:q{*`), or every key
 * of the one object `name` (`P:w{workers}:*`): what an ACL rule's `~` key patterns name.
 *
 * @param layout - the family's layout
 * @param prefix - the key prefix
 * @param name - one object's name, when not all of them
 */
export function objectKeyPattern<Role extends string>(layout: KeyLayout<Role>, prefix = '', name?: string): string {
  assertPrefix(prefix);
  if (name === undefined) return `${prefix}${layout.tag}{*`;
  assertObjectName(name, layout.what);
  return `${prefix}${layout.tag}{${name}}:*`;
}

/**
 * The registry of a family's names under `prefix`: `<prefix>:<family>:keys` (`:ps:keys` for
 * prioritized streams with the default prefix). It has no hash tag: on a Cluster it lives in a
 * slot of its own, so the scripts never touch it.
 *
 * @param family - the family's registry name, e.g. `ps`
 * @param prefix - the key prefix
 * @returns the registry key
 */
export function familyRegistryKey(family: string, prefix = ''): string {
  assertPrefix(prefix);
  return `${prefix}:${family}:keys`;
}

/**
 * Reports that an object was written but its name could not be added to its family's registry
 * (the registry is in another Cluster slot, so the write stands): a process warning with code
 * `GOOD_REDIS_REGISTRATION`.
 *
 * @param what - the object's kind, e.g. `stream`
 * @param name - its name
 * @param registry - the registry key
 * @param err - why the registration failed
 * @param then - what happens next, e.g. `the next add registers it`
 */
export function warnUnregistered(what: string, name: string, registry: string, err: unknown, then: string): void {
  const why = err instanceof Error ? err.message : String(err);
  process.emitWarning(`good-redis: ${what} ${JSON.stringify(name)} was written but could not be registered in ${registry} (${why}); ${then}`, {
    type: 'GoodRedisWarning',
    code: 'GOOD_REDIS_REGISTRATION',
  });
}
