/** A task queue with one dead letter, for the dashboard's specs. */
import { ResultStore, StreamBroker, type RedisClient } from '../../../src/index.js';
import { waitFor } from '../support.js';

/**
 * Makes task queue `name` under `prefix` with one dead letter: a task that always throws, sent
 * once and run by a worker allowed one attempt.
 *
 * @param closers - where to put what the caller closes after the test
 * @returns the broker, its worker closed
 */
export async function poisonQueue(redis: RedisClient, prefix: string, name: string, closers: (() => Promise<unknown>)[]): Promise<StreamBroker> {
  const results = new ResultStore(redis);
  const broker = new StreamBroker(redis, name, { prefix, results, maxAttempts: 1 });
  broker.task('send-email', () => {
    throw new Error('SMTP 550: mailbox unavailable');
  });
  const worker = broker.worker({ concurrency: 1 });
  worker.on('error', () => undefined);
  closers.push(
    () => results.close(),
    () => worker.close(),
  );
  await broker.send('send-email', { to: 'a@b.example' });
  await waitFor(async () => (await broker.stats()).dead === 1, 10_000, 'the dead letter');
  await worker.close();
  return broker;
}
