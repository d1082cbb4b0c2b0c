/**
 * The families of objects, named once for the inventory, the metrics, the spans, the worker
 * registry and the dashboard (a module of its own, with no imports, so the Worker can name them).
 *
 * @module
 */

/** The families an inventory lists: prioritized streams, the three queue kinds, topics, task queues. */
export const OBJECT_FAMILIES = ['stream', 'queue', 'unique', 'pool', 'topic', 'taskQueue'] as const;

/** A family of objects (see {@link OBJECT_FAMILIES}). */
export type ObjectFamily = (typeof OBJECT_FAMILIES)[number];

/** One object: its family and name. */
export interface ObjectRef {
  /** Its family. */
  readonly family: ObjectFamily;
  /** Its name. */
  readonly name: string;
}

/**
 * Whether a value names a family.
 *
 * @param value - anything
 * @returns true for one of {@link OBJECT_FAMILIES}
 */
export function isObjectFamily(value: unknown): value is ObjectFamily {
  return OBJECT_FAMILIES.includes(value as ObjectFamily);
}

/**
 * An object's id where one string names it (a field of the worker registry's hashes, the hash
 * tag of its history): `family/name`.
 *
 * @param object - the family and name
 * @returns `family/name`
 */
export function objectId({ family, name }: ObjectRef): string {
  return `${family}/${name}`;
}

/**
 * The object an {@link objectId} names.
 *
 * @param id - `family/name`
 * @returns the family and name, or undefined when it names no family
 */
export function parseObjectId(id: string): ObjectRef | undefined {
  const slash = id.indexOf('/');
  const family = id.slice(0, slash);
  return slash < 0 || !isObjectFamily(family) ? undefined : { family, name: id.slice(slash + 1) };
}

/**
 * Orders objects by family, then name.
 *
 * @param a - an object
 * @param b - another
 * @returns negative, 0 or positive
 */
export function compareObjects(a: ObjectRef, b: ObjectRef): number {
  return a.family.localeCompare(b.family) || a.name.localeCompare(b.name);
}
