/**
 * The one way good-redis sends a Lua script: EVALSHA, then EVAL when the server does not
 * know the script yet, and never a second time after its connection dropped unanswered.
 *
 * @module
 */
import { createHash } from 'node:crypto';
import { Command } from 'ioredis';
import type { ChainableCommander } from 'ioredis';
import type { RedisClient } from '../connection/redis-client.js';

/** A script's source and the SHA-1 EVALSHA names it by. */
export interface ScriptSource {
  /** The Lua source, as EVAL sends it. */
  readonly lua: string;
  /** Its SHA-1, as EVALSHA sends it. */
  readonly sha: string;
}

/** Pairs a Lua source with its SHA-1. */
export function scriptSource(lua: string): ScriptSource {
  return { lua, sha: createHash('sha1').update(lua).digest('hex') };
}

/** How a script call is sent. */
export interface ScriptCall {
  /** The script. */
  readonly source: ScriptSource;
  /** KEYS then ARGV, with how many of them are KEYS. */
  readonly keys: readonly string[];
  /** The ARGV. */
  readonly args: readonly (string | Buffer | number)[];
  /** Reply with Buffers instead of strings. */
  readonly binary: boolean;
  /** A read-only script: it may go to a replica, and is sent again after a reconnect as any read is. */
  readonly readOnly: boolean;
}

/** The scripts each socket has been sent with EVAL, so that EVALSHA finds them there. */
const loaded = new WeakMap<object, Set<string>>();

function loadedOn(socket: object): Set<string> {
  let shas = loaded.get(socket);
  if (shas === undefined) loaded.set(socket, (shas = new Set()));
  return shas;
}

/**
 * An EVALSHA that is sent as EVAL the first time its script goes out on a socket, and that
 * refuses to be sent twice. ioredis sends a command again when its connection closed before
 * the reply came: after a reconnect (`autoResendUnfulfilledCommands`, on by default), and on a
 * Cluster on the next connection to the slot's master. A write that reached Redis before the
 * connection dropped would then run twice: an add summed twice, a pull whose first items are
 * lost, an ack answered `LeaseLost` after it succeeded. So when a writing script is about to be
 * written again and the socket it went out on is gone, it sends a `PING` in its place and is
 * marked {@link ScriptCommand.unanswered}; the caller then fails with a `Connection` error, the
 * outcome unknown. A command that never reached a socket (queued while offline) is sent
 * normally once connected, and a Cluster redirection (`MOVED`, `ASK`, `TRYAGAIN`) answered on a
 * live socket is followed normally.
 */
export class ScriptCommand extends Command {
  /** True when the command was written on a connection that closed before its reply, and was not sent again. */
  public unanswered = false;
  private sentOn: object | undefined;
  private readonly source: ScriptSource;
  private readonly guarded: boolean;

  /** @param call - the script call */
  public constructor(call: ScriptCall) {
    super('evalsha', [call.source.sha, call.keys.length, ...call.keys, ...call.args], {
      replyEncoding: call.binary ? null : 'utf8',
      readOnly: call.readOnly,
    });
    this.source = call.source;
    this.guarded = !call.readOnly;
  }

  /**
   * Writes the command: as EVAL when the socket has not had the script yet, as EVALSHA when it
   * has, or as a `PING` in its place when it was written before on a socket that has since
   * closed (see the class).
   *
   * @param socket - the socket ioredis writes it to
   */
  public override toWritable(socket: object): string | Buffer {
    if (this.guarded && (this.sentOn as { destroyed?: boolean } | undefined)?.destroyed === true) {
      this.unanswered = true;
      this.name = 'ping';
      this.args = [];
    } else {
      const shas = loadedOn(socket);
      const first = !shas.has(this.source.sha);
      if (first) shas.add(this.source.sha);
      this.name = first ? 'eval' : 'evalsha';
      this.args[0] = first ? this.source.lua : this.source.sha;
    }
    this.sentOn = socket;
    return super.toWritable(socket);
  }

  /** After a NOSCRIPT answer (the server's scripts were flushed): the next command of this script on that socket is sent as EVAL. */
  public forgetScript(): void {
    if (this.sentOn !== undefined) loaded.get(this.sentOn)?.delete(this.source.sha);
  }
}

/** Whether Redis answered that it does not know the script (nothing ran). */
function isNoScript(err: unknown): boolean {
  return err instanceof Error && err.message.startsWith('NOSCRIPT');
}

/** The error of a script call written on a connection that dropped before it answered. */
export class UnansweredError extends Error {
  public constructor() {
    super('the connection closed after the script was sent and before Redis answered; it was not sent again, so whether it ran is unknown');
    this.name = 'UnansweredError';
  }
}

/**
 * Runs `attempt` with a new {@link ScriptCommand} of `call`. When Redis answers NOSCRIPT (its
 * scripts were flushed: nothing ran), forgets the script on that socket and runs `attempt` once
 * more with a new command, which then goes out as EVAL.
 *
 * @param call - the script call
 * @param attempt - sends the command (alone, or in a pipeline) and awaits its outcome
 */
export async function withScriptCommand<R>(call: ScriptCall, attempt: (command: ScriptCommand) => Promise<R>): Promise<R> {
  const command = new ScriptCommand(call);
  try {
    return await attempt(command);
  } catch (err) {
    if (!isNoScript(err)) throw err;
    command.forgetScript();
    return attempt(new ScriptCommand(call));
  }
}

/**
 * Sends a script call on `client` (see {@link ScriptCommand}); when the server answers NOSCRIPT
 * (its scripts were flushed), sends it once more as EVAL.
 *
 * @param client - the connection
 * @param call - the script call
 * @returns the script's reply
 * @throws {@link UnansweredError} when the connection dropped with the writing script in flight
 */
export async function sendScript(client: RedisClient, call: ScriptCall): Promise<unknown> {
  if (typeof (client as Partial<RedisClient>).sendCommand !== 'function') return evalOnDouble(client as unknown as TestDouble, call);
  return withScriptCommand(call, async (command) => {
    const reply = await (client.sendCommand(command) as Promise<unknown>).catch((err: unknown) => {
      throw command.unanswered ? new UnansweredError() : err;
    });
    if (command.unanswered) throw new UnansweredError();
    return reply;
  });
}

/** A test double of a client, such as ioredis-mock, that has `eval` but no `sendCommand` (and never re-sends). */
interface TestDouble {
  eval: (...args: unknown[]) => Promise<unknown>;
  evalBuffer?: (...args: unknown[]) => Promise<unknown>;
}

function evalOnDouble(client: TestDouble, call: ScriptCall): Promise<unknown> {
  const evaluate = call.binary && client.evalBuffer !== undefined ? client.evalBuffer : client.eval;
  return evaluate.call(client, call.source.lua, call.keys.length, ...call.keys, ...call.args);
}

/**
 * Queues a script command on a pipeline; look at {@link ScriptCommand.unanswered} once the
 * pipeline ran.
 *
 * @param pipeline - the pipeline
 * @param command - the script command
 */
export function queueScript(pipeline: ChainableCommander, command: ScriptCommand): void {
  (pipeline as unknown as { sendCommand: (command: Command) => unknown }).sendCommand(command);
}
