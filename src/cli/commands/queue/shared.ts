/**
 * What the queue commands share: the registry of the session's prefix and finding a queue by name.
 *
 * @module
 */
import type { RedisClient } from '../../../connection/redis-client.js';
import { QueueRegistry } from '../../../queues/queue-registry.js';
import type { ReliableQueue } from '../../../queues/reliable-queue.js';
import type { QueueFamilyKind } from '../../../queues/scripts.js';
import { CliError } from '../../cli-support.js';
import { quoted } from '../../format.js';

/** The queue registry of a session. */
export function queueRegistryOf(session: { client: RedisClient; prefix: string }): QueueRegistry {
  return new QueueRegistry(session.client, { prefix: session.prefix });
}

/**
 * The kind of a registered queue, unique queue or pool; a one-line error for an unknown name.
 *
 * @throws {@link CliError} for a name the registry does not know
 */
export async function knownQueue(registry: QueueRegistry, name: string): Promise<QueueFamilyKind> {
  const kind = await registry.kindOf(name);
  if (kind === null) throw new CliError(`unknown queue ${quoted(name)}: it is not registered (good-redis queues lists the queues and pools)`);
  return kind;
}

/** The reliable queue (not a pool) of a name, for the commands that move deliveries. */
export async function consumerQueue(registry: QueueRegistry, name: string): Promise<ReliableQueue<string>> {
  const kind = await knownQueue(registry, name);
  if (kind === 'pool') throw new CliError(`${quoted(name)} is a pool: its leases run out by themselves, there are no deliveries to re-enqueue or drop`);
  return registry.reliableQueue(name, kind);
}
