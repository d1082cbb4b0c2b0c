import { typed } from '../errors.js';
import type { RedisClient } from './redis-client.js';

/**
 * The Redis server's clock in epoch ms (`TIME`; on a Cluster, any node's: they are expected to
 * share a synchronised clock). Everything timed from a client is timed by it.
 *
 * @param client - the connection
 */
export async function serverNowMs(client: RedisClient): Promise<number> {
  const [seconds = '0', micros = '0'] = await typed(client.time());
  return Number(seconds) * 1000 + Math.floor(Number(micros) / 1000);
}
