/**
 * Dependency injection with inversify: the module binds the connection, the registry, the
 * Expirer and a stream factory; a class of yours receives the factory by explicit token.
 *
 *   npm run build:all && node build/examples/di-container.js
 *
 * Starts a throwaway redis-server unless REDIS_URL is set.
 */
import 'reflect-metadata';
import { Container, inject, injectable } from 'inversify';
import { TOKENS, createGoodRedisModule, type StreamFactory } from '../src/index.js';
import { redisForRun } from '../scripts/topologies.js';

@injectable()
class Crawler {
  public constructor(@inject(TOKENS.StreamFactory) private readonly streams: StreamFactory) {}

  public async crawlOnce(): Promise<string[]> {
    const frontier = this.streams('di-example-frontier');
    await frontier.addMany([
      ['https://example.com/', 'https://example.com/', 10],
      ['https://example.com/about', 'https://example.com/about', 3],
    ]);
    const pulled = await frontier.pull({ count: 10, gate: true });
    await frontier.delete();
    return pulled.map((item) => `${String(item.priority)} ${item.key}`);
  }
}

async function main(): Promise<void> {
  const server = await redisForRun();
  const container = new Container();
  try {
    await container.loadAsync(createGoodRedisModule({ env: server.env, expirer: { autoStart: true } }));
    container.bind(Crawler).toSelf();
    for (const line of await container.get(Crawler).crawlOnce()) console.log(line);
    console.log(`expirer running: ${String(container.get(TOKENS.Expirer).running)}`);
  } finally {
    await container.unbindAllAsync(); // stops the Expirer, then quits the connection the module opened
    await server.stop();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
