/**
 * BullMQ, loaded from the benchmark's own folder (`.bench/`, installed by
 * scripts/bench-deps.sh): it is not a dependency of the package. Only the few members the
 * benchmark uses are typed here.
 */
import { createRequire } from 'node:module';
import { join } from 'node:path';

/** The options a BullMQ queue and worker need to connect. */
export interface BullConnection {
  connection: { host: string; port: number; maxRetriesPerRequest: null };
}

/** The part of a BullMQ `Job` the benchmark uses. */
export interface BullJob {
  waitUntilFinished(events: BullQueueEvents, ttl?: number): Promise<unknown>;
}

/** The part of a BullMQ `QueueEvents` the benchmark uses. */
export interface BullQueueEvents {
  waitUntilReady(): Promise<unknown>;
  close(): Promise<void>;
}

/** The part of a BullMQ `Queue` the benchmark uses. */
export interface BullQueue {
  add(name: string, data: unknown, opts: { removeOnComplete: boolean }): Promise<BullJob>;
  addBulk(jobs: { name: string; data: unknown; opts: { priority?: number; removeOnComplete: boolean } }[]): Promise<unknown[]>;
  waitUntilReady(): Promise<unknown>;
  close(): Promise<void>;
}

/** The part of a BullMQ `Worker` the benchmark uses. */
export interface BullWorker {
  on(event: 'completed', listener: () => void): unknown;
  run(): Promise<void>;
  close(): Promise<void>;
}

/** The BullMQ module. */
export interface BullMQ {
  version: string;
  Queue: new (name: string, options: BullConnection) => BullQueue;
  Worker: new (name: string, processor: () => Promise<unknown>, options: BullConnection & { concurrency: number; autorun: boolean }) => BullWorker;
  QueueEvents: new (name: string, options: BullConnection) => BullQueueEvents;
}

/** Loads BullMQ from `.bench/node_modules`. */
export function loadBullMQ(root: string): BullMQ {
  const require = createRequire(join(root, '.bench', 'package.json'));
  const module = require('bullmq') as Omit<BullMQ, 'version'>;
  const { version } = require('bullmq/package.json') as { version: string };
  return { ...module, version };
}
