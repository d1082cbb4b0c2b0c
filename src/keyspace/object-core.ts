/**
 * The keyed-object core every family composes: one object's name, prefix, keys, connection,
 * codec and replication, the one verb that runs its scripts, and the one policy that puts its
 * name in its family's registry.
 *
 * @module
 */
import type { Codec } from '../codec.js';
import type { RedisClient } from '../connection/redis-client.js';
import type { AnyScript, ScriptInput, ScriptOutput } from '../scripting/define-script.js';
import { execConfirmed, type ScriptSet } from '../scripting/script-set.js';
import { typed } from '../errors.js';
import { warnUnregistered } from './keys.js';

/** Where an object's name is registered, and how. */
export interface RegistrationSpec {
  /** The registry key (`P:q:keys`, …): in a Cluster slot of its own. */
  readonly key: string;
  /** Names the object in the warning, e.g. `stream`, `task queue`. */
  readonly what: string;
  /** What the next write does about a registration that failed, e.g. `the next add registers it`. */
  readonly then: string;
  /** The member written: the name in a set (SADD, the default), or the name and its kind in a hash (HSET). */
  readonly kind?: string | undefined;
}

/** How a call runs its script: other keys than the object's (a topic's partitions, a result's id), Buffers in the reply. */
export interface CallOptions<Role extends string> {
  /** The keys by role (default: the object's). */
  readonly keys?: Readonly<Record<Role, string>> | undefined;
  /** Reply with Buffers instead of strings. */
  readonly binary?: boolean | undefined;
  /** Replicas to wait for on this write, when the object's own replication does not say (a topic's send). */
  readonly replication?: { readonly replicas: number; readonly timeoutMs: number } | undefined;
}

/** Tries of a registration that failed beside a write that landed (the first included), 1 s apart. */
const REGISTRATION_TRIES = 3;

/**
 * One object of a family as its scripts see it. A family's class composes one (a topic two: its
 * `{T}` scripts and its partitions'), so the running of scripts, the waiting for replicas and
 * the registration are written once for every family.
 *
 * @typeParam Name - the names of the family's scripts
 * @typeParam Role - the names of the family's keys
 * @typeParam Table - the scripts' definitions by name
 * @typeParam T - the object's value type (its codec's)
 */
export class ObjectCore<Name extends string, Role extends string, Table extends Readonly<Record<Name, AnyScript<Role>>>, T = unknown> {
  /**
   * @param client - the connection (never closed by the object)
   * @param name - the object's name
   * @param prefix - the key prefix
   * @param keys - the object's keys by role (undefined: each call names its keys, as a topic's partitions do)
   * @param scripts - the family's scripts
   * @param codec - encodes and decodes the object's values
   * @param replication - how many replicas confirm each write, and how long they may take; undefined for none
   * @param registration - where its name is registered (undefined: it is not)
   */
  public constructor(
    public readonly client: RedisClient,
    public readonly name: string,
    public readonly prefix: string,
    public readonly keys: Readonly<Record<Role, string>> | undefined,
    public readonly scripts: ScriptSet<Name, Role, Table>,
    public readonly codec: Codec<T>,
    public readonly replication: { readonly replicas: number; readonly timeoutMs: number } | undefined,
    private readonly registration?: RegistrationSpec,
  ) {}

  /**
   * Runs one script: encodes the request (defaults applied), runs it with the object's keys
   * (a write with `WAIT` in one pipeline when replication is asked for), and decodes the reply.
   *
   * @param script - the script's name
   * @param input - the request
   * @param options - other keys, Buffers in the reply
   * @returns the decoded reply
   * @throws {@link GoodRedisError} for what Redis or the script refused
   */
  public async call<N extends Name>(script: N, input: ScriptInput<Table[N]>, options: CallOptions<Role> = {}): Promise<ScriptOutput<Table[N]>> {
    const definition = this.scripts.definitions[script];
    const args = (definition.encode as (request: ScriptInput<Table[N]>) => ReturnType<Table[N]['encode']>)(input);
    const keys = options.keys ?? this.keys;
    if (keys === undefined) throw new Error(`good-redis: the ${script} script of ${this.name} was called without its keys`);
    const binary = options.binary ?? false;
    const replication = this.replication ?? options.replication;
    const reply =
      replication === undefined
        ? await this.scripts.run(this.client, script, keys, args, binary)
        : await this.scripts.runReplicated(this.client, script, keys, args, binary, replication.replicas, replication.timeoutMs);
    return definition.decode(reply) as ScriptOutput<Table[N]>;
  }

  /**
   * Registers the object's name once `write`, the object's first write of a call, landed. A write
   * that failed registers nothing: nothing was written, and a registration sent beside it would
   * have listed a name that holds no data, or re-registered a queue's name under another kind
   * than the class that refused it. On one connection the registration goes out the moment the
   * write's reply is read, ahead of whatever the caller sends next, and the caller does not wait
   * for it; on a Cluster (another slot, maybe another node) the call waits for it, so a listing
   * right after sees the name; with replication it waits too, and the registration is confirmed
   * by the replicas like the write.
   *
   * A write that landed is never reported as failed because of its registration: a failed one
   * (the registry's Cluster master down, a server out of memory) is a process warning (code
   * `GOOD_REDIS_REGISTRATION`), retried in the background.
   *
   * @param write - the write
   * @returns the write's result
   */
  public async registering<R>(write: Promise<R>): Promise<R> {
    const result = await write;
    const { registration } = this;
    if (registration === undefined) return result;
    if (this.replication !== undefined) {
      const { replicas, timeoutMs } = this.replication;
      const pipeline = this.client.pipeline();
      this.writeRegistration(pipeline, registration);
      await execConfirmed(pipeline, replicas, timeoutMs, 'the registration');
    } else if (this.client.isCluster) await this.register();
    else void this.register();
    return result;
  }

  /** Registers the object's name after a write that landed; a failure is warned and retried in the background, never thrown. */
  public async register(): Promise<void> {
    await this.registerOnce().catch((err: unknown) => {
      this.registrationFailed(err, 1);
    });
  }

  /** Takes the object's name out of its family's registry (before its keys are deleted, so a concurrent write registers it again). */
  public async unregister(): Promise<void> {
    const registration = this.registration;
    if (registration === undefined) return;
    await typed(registration.kind === undefined ? this.client.srem(registration.key, this.name) : this.client.hdel(registration.key, this.name));
  }

  private registerOnce(): Promise<unknown> {
    const registration = this.registration;
    if (registration === undefined) return Promise.resolve();
    return Promise.resolve(this.writeRegistration(this.client, registration));
  }

  /** The registry write (the name into a set, or with its kind into a hash), sent on the client or queued in a pipeline; what it answers. */
  private writeRegistration(
    target: { sadd(key: string, member: string): unknown; hset(key: string, field: string, value: string): unknown },
    registration: RegistrationSpec,
  ): unknown {
    return registration.kind === undefined ? target.sadd(registration.key, this.name) : target.hset(registration.key, this.name, registration.kind);
  }

  /** Reports a failed registration and tries again in the background (1 s apart, {@link REGISTRATION_TRIES} tries in all). */
  private registrationFailed(err: unknown, attempt: number): void {
    const registration = this.registration;
    if (registration === undefined) return;
    const retry = attempt < REGISTRATION_TRIES && this.client.status !== 'end'; // a closed connection will not register anything
    warnUnregistered(registration.what, this.name, registration.key, err, retry ? 'retrying' : registration.then);
    if (!retry) return;
    setTimeout(() => {
      this.registerOnce().catch((again: unknown) => {
        this.registrationFailed(again, attempt + 1);
      });
    }, 1000).unref();
  }
}
