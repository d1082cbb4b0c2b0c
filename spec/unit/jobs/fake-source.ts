/** An in-memory {@link JobSource} for the Worker's unit tests: records every call, answers at once. */
import { EventEmitter } from 'node:events';
import { GoodRedisError, type JobSource, type LeaseRequest, type NackOutcome, type RedisClient, type SourceJob, type WorkWaiter } from '../../../src/index.js';

export class FakeJob implements SourceJob {
  public constructor(
    public readonly id: string,
    public readonly attempt = 1,
  ) {}
}

/** A stand-in for the connection: an emitter with a status, ended by `end()`. */
class FakeClient extends EventEmitter {
  public status = 'ready';
  public end(): void {
    this.status = 'end';
    this.emit('end');
  }
}

export class FakeSource implements JobSource<FakeJob> {
  public readonly connection = new FakeClient();
  public readonly client = this.connection as unknown as RedisClient;
  /** Jobs waiting to be leased. */
  public readonly queued: FakeJob[] = [];
  public readonly leases: LeaseRequest[] = [];
  public readonly acks: string[][] = [];
  public readonly nacks: { id: string; delayMs: number; error: string }[] = [];
  public readonly extends: string[][] = [];
  public readonly released: string[] = [];
  /** Jobs whose lease is gone: ack and extend answer LeaseLost for them. */
  public readonly lost = new Set<string>();
  /** Jobs a nack sends to the dead letters. */
  public readonly dying = new Set<string>();
  /** When set, the next lease fails with it. */
  public failNextLease: Error | undefined;
  private wakers: (() => void)[] = [];

  /** Adds jobs and wakes an idle wait. */
  public push(...jobs: FakeJob[]): void {
    this.queued.push(...jobs);
    for (const wake of this.wakers.splice(0)) wake();
  }

  public leaseBatch(request: LeaseRequest): Promise<{ items: FakeJob[]; wakeInMs: number; errors: unknown[] }> {
    this.leases.push(request);
    const failure = this.failNextLease;
    this.failNextLease = undefined;
    if (failure !== undefined) return Promise.reject(failure);
    return Promise.resolve({ items: this.queued.splice(0, request.count), wakeInMs: -1, errors: [] });
  }

  public ack(jobs: readonly FakeJob[]): Promise<(Error | undefined)[]> {
    this.acks.push(jobs.map((j) => j.id));
    return Promise.resolve(jobs.map((j) => this.outcome(j)));
  }

  public nack(jobs: readonly FakeJob[], options: { delayMs: number; error: string }): Promise<(NackOutcome | Error)[]> {
    for (const job of jobs) this.nacks.push({ id: job.id, ...options });
    return Promise.resolve(jobs.map((j) => (this.dying.has(j.id) ? 'dead' : 'retry')));
  }

  public extend(jobs: readonly FakeJob[]): Promise<(Error | undefined)[]> {
    this.extends.push(jobs.map((j) => j.id));
    return Promise.resolve(jobs.map((j) => this.outcome(j)));
  }

  public release(jobs: readonly FakeJob[]): Promise<void> {
    this.released.push(...jobs.map((j) => j.id));
    return Promise.resolve();
  }

  public openSignal(): WorkWaiter {
    let closed = false;
    return {
      waitForWork: () =>
        closed || this.queued.length > 0
          ? Promise.resolve(this.queued.length > 0)
          : new Promise<boolean>((resolve) => {
              this.wakers.push(() => {
                resolve(true);
              });
            }),
      close: () => {
        closed = true;
        for (const wake of this.wakers.splice(0)) wake();
      },
    };
  }

  private outcome(job: FakeJob): Error | undefined {
    return this.lost.has(job.id) ? new GoodRedisError('LeaseLost', `the lease of ${job.id} is no longer held`) : undefined;
  }
}

/** Jobs `prefix0` … `prefix(n-1)`. */
export function jobs(n: number, prefix = 'j'): FakeJob[] {
  return Array.from({ length: n }, (_, i) => new FakeJob(`${prefix}${String(i)}`));
}

/** A promise with its resolve, for handlers the test finishes when it wants. */
export function deferred<T = void>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

/** Lets pending promise callbacks and setImmediate callbacks run, until `check` holds (or fails after many turns). */
export async function until(check: () => boolean, what = 'condition'): Promise<void> {
  for (let turn = 0; turn < 1000; turn++) {
    if (check()) return;
    await new Promise((resolve) => setImmediate(resolve));
  }
  throw new Error(`never happened: ${what}`);
}
