/**
 * The minimal reference: what a priority queue costs in Redis with no checks at all. One
 * Lua script does HSET + ZADD per item; another ZPOPMAX + HGET/HDEL (and, when asked for the
 * default pull's work, a ZADD of each key's 24 h cooldown). For consumption, a lease
 * pops the best, records an in-flight deadline and returns the values; an ack drops the
 * in-flight entry and the value (and, in its cooldown variant, writes the 24 h cooldown an ack
 * with one writes). No gating, no validation, no registry, no attempts, no stats.
 */
import type { Redis } from 'ioredis';
import type { BenchItem } from './data.js';

const ADD = `
for i = 1, #ARGV, 3 do
  redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1])
  redis.call('ZADD', KEYS[2], ARGV[i + 2], ARGV[i])
end
return #ARGV / 3`;

/** Lua that sets `deadline` to the server clock + `ms` (a Lua expression) when `ms` > 0, else 0. */
const deadlineIn = (ms: string): string => `
local deadline = 0
if ${ms} > 0 then
  local now = redis.call('TIME')
  deadline = tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000) + ${ms}
end`;

const PULL = `
local cooldown = tonumber(ARGV[2])
${deadlineIn('cooldown')}
local popped = redis.call('ZPOPMAX', KEYS[2], ARGV[1])
local out = {}
for i = 1, #popped, 2 do
  local key = popped[i]
  out[#out + 1] = key
  out[#out + 1] = redis.call('HGET', KEYS[1], key)
  out[#out + 1] = popped[i + 1]
  redis.call('HDEL', KEYS[1], key)
  if cooldown > 0 then redis.call('ZADD', KEYS[3], deadline, key) end
end
return out`;

const LEASE = `
${deadlineIn('tonumber(ARGV[2])')}
local popped = redis.call('ZPOPMAX', KEYS[2], ARGV[1])
local out = {}
for i = 1, #popped, 2 do
  local key = popped[i]
  redis.call('ZADD', KEYS[3], deadline, key)
  out[#out + 1] = key
  out[#out + 1] = redis.call('HGET', KEYS[1], key)
end
return out`;

const ACK = `
local cooldown = tonumber(ARGV[1])
${deadlineIn('cooldown')}
for i = 2, #ARGV do
  redis.call('ZREM', KEYS[3], ARGV[i])
  redis.call('HDEL', KEYS[1], ARGV[i])
  if cooldown > 0 then redis.call('ZADD', KEYS[4], deadline, ARGV[i]) end
end
return #ARGV - 1`;

/** A day, the default cooldown of a pull. */
const DAY_MS = 86_400_000;

type RefClient = Redis & {
  refAdd(items: string, scores: string, ...args: (string | number)[]): Promise<number>;
  refPull(items: string, scores: string, cooldowns: string, count: number, cooldownMs: number): Promise<string[]>;
  refLease(items: string, scores: string, inflight: string, count: number, leaseMs: number): Promise<string[]>;
  refAck(items: string, scores: string, inflight: string, cooldowns: string, cooldownMs: number, ...keys: string[]): Promise<number>;
};

/** A reference queue named `name` on `redis`. */
export class ReferenceQueue {
  private readonly client: RefClient;
  private readonly items: string;
  private readonly scores: string;
  private readonly inflight: string;
  private readonly cooldowns: string;

  public constructor(redis: Redis, name: string) {
    redis.defineCommand('refAdd', { numberOfKeys: 2, lua: ADD });
    redis.defineCommand('refPull', { numberOfKeys: 3, lua: PULL });
    redis.defineCommand('refLease', { numberOfKeys: 3, lua: LEASE });
    redis.defineCommand('refAck', { numberOfKeys: 4, lua: ACK });
    this.client = redis as RefClient;
    this.items = `ref{${name}}:t`;
    this.scores = `ref{${name}}:s`;
    this.inflight = `ref{${name}}:l`;
    this.cooldowns = `ref{${name}}:c`;
  }

  public async addMany(items: readonly BenchItem[]): Promise<number> {
    const args: (string | number)[] = [];
    for (const item of items) args.push(item.key, JSON.stringify(item.value), item.priority);
    return this.client.refAdd(this.items, this.scores, ...args);
  }

  /** Pulls the best `count`; with `cooldown`, also writes each key's 24 h cooldown, as the default pull does. */
  public async pull(count: number, cooldown = false): Promise<{ key: string; value: unknown; priority: number }[]> {
    const flat = await this.client.refPull(this.items, this.scores, this.cooldowns, count, cooldown ? DAY_MS : 0);
    const out: { key: string; value: unknown; priority: number }[] = [];
    for (let i = 0; i + 2 < flat.length; i += 3) {
      out.push({ key: flat[i] ?? '', value: JSON.parse(flat[i + 1] ?? 'null') as unknown, priority: Number(flat[i + 2]) });
    }
    return out;
  }

  /** Leases the best `count`: each gets an in-flight deadline; returns keys and decoded values. */
  public async lease(count: number, leaseMs: number): Promise<{ key: string; value: unknown }[]> {
    const flat = await this.client.refLease(this.items, this.scores, this.inflight, count, leaseMs);
    const out: { key: string; value: unknown }[] = [];
    for (let i = 0; i + 1 < flat.length; i += 2) out.push({ key: flat[i] ?? '', value: JSON.parse(flat[i + 1] ?? 'null') as unknown });
    return out;
  }

  /** Acks leased keys: drops their in-flight entry and value; with `cooldownMs`, writes their cooldown. */
  public ack(keys: readonly string[], cooldownMs = 0): Promise<number> {
    return this.client.refAck(this.items, this.scores, this.inflight, this.cooldowns, cooldownMs, ...keys);
  }
}
