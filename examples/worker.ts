/**
 * At-least-once consumption with a Worker: retries with backoff, a dead letter, a replay.
 *
 *   npm run build:all && node build/examples/worker.js
 *
 * Starts a throwaway redis-server unless REDIS_URL is set.
 */
import { once } from 'node:events';
import { PrioritizedStream, Worker, closeConnection, createConnection, jsonCodec } from '../src/index.js';
import { redisForRun } from '../scripts/topologies.js';

interface Email {
  to: string;
  subject: string;
}

async function main(): Promise<void> {
  const server = await redisForRun();
  const redis = createConnection({}, server.env);
  const outbox = new PrioritizedStream(redis, `example-outbox-${String(Date.now())}`, { codec: jsonCodec<Email>(), cooldownMs: 0 });
  let worker: Worker<Email, string> | undefined;
  try {
    await outbox.addMany([
      { key: 'mail-1', value: { to: 'ada@example.com', subject: 'Welcome' }, priority: 10 },
      { key: 'mail-2', value: { to: 'bob@invalid', subject: 'Receipt' }, priority: 5 },
      { key: 'mail-3', value: { to: 'cy@example.com', subject: 'Digest' }, priority: 1 },
    ]);

    let bouncing = true;
    const mailer = new Worker(
      outbox,
      (job) => {
        if (bouncing && job.value.to.endsWith('@invalid')) throw new Error(`mailbox ${job.value.to} does not exist`);
        return `sent "${job.value.subject}" to ${job.value.to}`;
      },
      { concurrency: 2, maxAttempts: 3, backoff: (attempt) => attempt * 20 },
    );
    worker = mailer;
    mailer.on('completed', (job, result) => {
      console.log(`completed ${job.key} (attempt ${String(job.attempt)}): ${result}`);
    });
    mailer.on('failed', (job, err) => {
      console.log(`failed ${job.key} (attempt ${String(job.attempt)}): ${(err as Error).message}`);
    });

    // mail-2 fails three times (backoff 20 ms, then 40 ms) and goes to the dead letters.
    await new Promise<void>((resolve) => {
      mailer.on('failed', (job) => {
        if (job.attempt === 3) resolve();
      });
    });
    const dead = await outbox.deadLetters();
    for (const letter of dead) console.log(`dead letter ${letter.key} after ${String(letter.attempts)} attempts: ${String(letter.error)}`);
    if (dead.length !== 1) throw new Error('expected one dead letter');

    bouncing = false; // the address was fixed: replay it
    const replayed = once(mailer, 'completed');
    console.log(`replayed ${(await outbox.replayDead()).join(', ')}`);
    await replayed;
    console.log(`left in the stream: ${String(await outbox.len())}, dead letters: ${String((await outbox.deadLetters()).length)}`);
  } finally {
    await worker?.close(); // before the connection goes: jobs in flight need it
    await outbox.delete();
    await closeConnection(redis);
    await server.stop();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
