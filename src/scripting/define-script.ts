/**
 * One definition per script: its file, its keys, what it may do, how a request becomes its ARGV
 * and how its reply becomes a typed result (node-redis keeps `parseCommand` and `transformReply`
 * of one command together in the same way). The class methods, the raw commands and the tests
 * all read the same definition, so the defaults and the reply's layout live once, and each is
 * unit-tested without a server.
 *
 * @module
 */
import type { ScriptArg, ScriptDefinition } from './script-set.js';

/**
 * What a script may do: `read` (declared `no-writes`: it runs on replicas and on a full
 * server), `write`, or `remove` (it writes, but only removes data or settles work already
 * taken: declared `allow-oom`, see {@link ScriptDefinition.allowOom}).
 */
export type ScriptAccess = 'read' | 'write' | 'remove';

/**
 * One script of a family: its definition, its argument encoder (defaults applied) and its reply
 * decoder.
 *
 * @typeParam Role - the names of the family's keys
 * @typeParam I - the request the encoder takes
 * @typeParam O - what the decoder makes of the reply
 */
export interface Script<Role extends string, I, O = unknown> extends ScriptDefinition<Role> {
  /** The script's ARGV for a request, defaults applied. */
  readonly encode: (input: I) => ScriptArg[];
  /** The script's reply as a typed result (the reply itself for a script whose callers read none). */
  readonly decode: (reply: unknown) => O;
}

/** Any script of a family with keys `Role`, whatever it takes and answers. */
export type AnyScript<Role extends string> = Script<Role, never>;

/** The request a script's encoder takes. */
export type ScriptInput<S> = S extends Script<string, infer I> ? I : never;

/** What a script's decoder answers. */
export type ScriptOutput<S> = S extends Script<string, never, infer O> ? O : never;

/** The decoder of a script whose reply its callers read as it is. */
const asIs = (reply: unknown): unknown => reply;

/**
 * Defines one script.
 *
 * @param file - the file under the family's `lua/`, named `verbNoun-N.lua` (N: its keys)
 * @param keys - the keys it touches, in the order its `namedKeys(...)` line declares them
 * @param access - what it may do
 * @param encode - its ARGV for a request, defaults applied
 * @param decode - its reply as a typed result (left out: the reply as it is)
 * @param options - `anyType`: a script that deletes its keys whole, whatever they hold (no key type guard)
 * @returns the definition
 */
export function defineScript<Role extends string, I, O = unknown>(
  file: string,
  keys: readonly Role[],
  access: ScriptAccess,
  encode: (input: I) => ScriptArg[],
  decode?: (reply: unknown) => O,
  options: { anyType?: boolean } = {},
): Script<Role, I, O> {
  return {
    file,
    keys,
    readOnly: access === 'read',
    allowOom: access === 'remove',
    ...(options.anyType === true ? { anyType: true } : {}),
    encode,
    decode: decode ?? (asIs as (reply: unknown) => O),
  };
}

/** A reply element as a string (Buffers come back from the binary variants). */
export function text(value: unknown): string {
  return Buffer.isBuffer(value) ? value.toString('utf8') : String(value);
}

/** A reply that is a list of numbers (each element read with `Number`). */
export function numbers(reply: unknown): number[] {
  return (reply as unknown[]).map(Number);
}

/** A reply that is a list of strings (each element read with {@link text}). */
export function texts(reply: unknown): string[] {
  return (reply as unknown[]).map(text);
}
