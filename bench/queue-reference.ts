/**
 * The minimum a reliable FIFO queue with delivery ids costs in Redis, for the benchmark's queue
 * rows: the same keys as a good-redis `Queue` (a list of waiting values, a sorted set of held
 * delivery ids, a hash of their values, a sequence), and no checks at all: no kind, no consumer
 * registration or heartbeat, no reaper, no rollback counters, no marker.
 */
import type { Redis } from 'ioredis';

/** Pushes every value on the left. */
const ADD = `return redis.call('LPUSH', KEYS[1], unpack(ARGV))`;

/** Pops up to ARGV[1] values from the right into held deliveries `<seq>`; returns id, value pairs. */
const GET = `
local values = redis.call('RPOP', KEYS[1], ARGV[1])
if not values then return {} end
local last = redis.call('HINCRBY', KEYS[4], 'dseq', #values)
local scored, fields, out = {}, {}, {}
for i = 1, #values do
  local id = tostring(last - #values + i)
  scored[#scored + 1] = 0
  scored[#scored + 1] = id
  fields[#fields + 1] = id
  fields[#fields + 1] = values[i]
  out[#out + 1] = id
  out[#out + 1] = values[i]
end
redis.call('ZADD', KEYS[2], unpack(scored))
redis.call('HSET', KEYS[3], unpack(fields))
return out`;

/** Ends deliveries: out of the held set and the values hash. */
const ACK = `
redis.call('ZREM', KEYS[1], unpack(ARGV))
return redis.call('HDEL', KEYS[2], unpack(ARGV))`;

type RefClient = Redis & {
  refQueueAdd(list: string, ...values: string[]): Promise<number>;
  refQueueGet(list: string, held: string, deliveries: string, meta: string, count: number): Promise<string[]>;
  refQueueAck(held: string, deliveries: string, ...ids: string[]): Promise<number>;
};

/** A reference queue named `name` on `redis`. */
export class ReferenceFifo {
  private readonly client: RefClient;
  private readonly list: string;
  private readonly held: string;
  private readonly deliveries: string;
  private readonly meta: string;

  public constructor(redis: Redis, name: string) {
    redis.defineCommand('refQueueAdd', { numberOfKeys: 1, lua: ADD });
    redis.defineCommand('refQueueGet', { numberOfKeys: 4, lua: GET });
    redis.defineCommand('refQueueAck', { numberOfKeys: 2, lua: ACK });
    this.client = redis as RefClient;
    this.list = `ref:q{${name}}:list`;
    this.held = `ref:q{${name}}:held`;
    this.deliveries = `ref:q{${name}}:deliveries`;
    this.meta = `ref:q{${name}}:meta`;
  }

  /** Adds JSON-encoded values in order. */
  public addMany(values: readonly unknown[]): Promise<number> {
    return this.client.refQueueAdd(this.list, ...values.map((v) => JSON.stringify(v)));
  }

  /** Takes up to `count` values into held deliveries; returns ids and decoded values. */
  public async get(count: number): Promise<{ id: string; value: unknown }[]> {
    const flat = await this.client.refQueueGet(this.list, this.held, this.deliveries, this.meta, count);
    const out: { id: string; value: unknown }[] = [];
    for (let i = 0; i + 1 < flat.length; i += 2) out.push({ id: flat[i] ?? '', value: JSON.parse(flat[i + 1] ?? 'null') as unknown });
    return out;
  }

  /** Ends deliveries. */
  public ack(ids: readonly string[]): Promise<number> {
    return this.client.refQueueAck(this.held, this.deliveries, ...ids);
  }
}
