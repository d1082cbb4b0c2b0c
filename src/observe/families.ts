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
