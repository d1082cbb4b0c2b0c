/**
 * The minimal reference: what a priority queue costs in Redis with no checks at all. One
 * Lua script does HSET + ZADD per item; another ZPOPMAX + HGET/HDEL. No gating, no
 * cooldowns, no validation, no registry.
 */
import type { Redis } from 'ioredis';
import type { BenchItem } from './data.js';

const ADD = `
for i = 1, #ARGV, 3 do
  redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1])
  redis.call('ZADD', KEYS[2], ARGV[i + 2], ARGV[i])
end
return #ARGV / 3`;

const PULL = `
local popped = redis.call('ZPOPMAX', KEYS[2], ARGV[1])
local out = {}
for i = 1, #popped, 2 do
  local key = popped[i]
  out[#out + 1] = key
  out[#out + 1] = redis.call('HGET', KEYS[1], key)
  out[#out + 1] = popped[i + 1]
  redis.call('HDEL', KEYS[1], key)
end
return out`;

type RefClient = Redis & {
  refAdd(items: string, scores: string, ...args: (string | number)[]): Promise<number>;
  refPull(items: string, scores: string, count: number): Promise<string[]>;
};

/** A reference queue named `name` on `redis`. */
export class ReferenceQueue {
  private readonly client: RefClient;
  private readonly items: string;
  private readonly scores: string;

  public constructor(redis: Redis, name: string) {
    redis.defineCommand('refAdd', { numberOfKeys: 2, lua: ADD });
    redis.defineCommand('refPull', { numberOfKeys: 2, lua: PULL });
    this.client = redis as RefClient;
    this.items = `ref{${name}}:t`;
    this.scores = `ref{${name}}:s`;
  }

  public async addMany(items: readonly BenchItem[]): Promise<number> {
    const args: (string | number)[] = [];
    for (const item of items) args.push(item.key, JSON.stringify(item.value), item.priority);
    return this.client.refAdd(this.items, this.scores, ...args);
  }

  public async pull(count: number): Promise<{ key: string; value: unknown; priority: number }[]> {
    const flat = await this.client.refPull(this.items, this.scores, count);
    const out: { key: string; value: unknown; priority: number }[] = [];
    for (let i = 0; i + 2 < flat.length; i += 3) {
      out.push({ key: flat[i] ?? '', value: JSON.parse(flat[i + 1] ?? 'null') as unknown, priority: Number(flat[i + 2]) });
    }
    return out;
  }
}
