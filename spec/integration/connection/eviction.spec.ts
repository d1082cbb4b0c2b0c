/**
 * The eviction warning: a server that evicts keys when full (a `maxmemory` with a policy other
 * than `noeviction`) loses queued work without an error, so the first script good-redis runs on
 * a connection to one makes it warn, once per server and process; a `noeviction` server, or one
 * without a `maxmemory`, makes it say nothing. Each server is started by the test.
 */
import assert from 'node:assert/strict';
import { Redis } from 'ioredis';
import { checkEviction, EVICTION_WARNING_CODE } from '../../../src/connection/eviction-check.js';
import { PrioritizedStream, Queue } from '../../../src/index.js';
import { startThrowawayRedis, type ThrowawayRedis } from '../../../scripts/throwaway-redis.js';
import { closeAll, connect, describeEachTopology, masters, uniqueName } from '../support.js';

describe('the eviction warning (a server of its own per case)', function () {
  this.timeout(30_000);
  const servers: ThrowawayRedis[] = [];
  const clients: Redis[] = [];
  let warnings: Error[];
  const onWarning = (warning: Error): void => {
    if ((warning as Error & { code?: string }).code === EVICTION_WARNING_CODE) warnings.push(warning);
  };
  beforeEach(() => {
    warnings = [];
    process.on('warning', onWarning);
  });
  afterEach(async () => {
    process.off('warning', onWarning);
    for (const client of clients.splice(0)) client.disconnect();
    await Promise.all(servers.splice(0).map((s) => s.stop()));
  });
  const serverWith = async (args: string[]): Promise<ThrowawayRedis> => {
    const server = await startThrowawayRedis(args);
    servers.push(server);
    return server;
  };
  const client = (server: ThrowawayRedis): Redis => {
    const made = new Redis(server.url, { maxRetriesPerRequest: 1 });
    clients.push(made);
    return made;
  };
  /** The warnings emitted so far (process warnings are emitted on the next tick). */
  const emitted = async (): Promise<string[]> => {
    await new Promise((resolve) => setImmediate(resolve));
    return warnings.map((w) => w.message);
  };

  it('warns once per server, at the first script, when the server evicts keys when full', async () => {
    const server = await serverWith(['--maxmemory', '64mb', '--maxmemory-policy', 'allkeys-lru']);
    const redis = client(server);
    await new PrioritizedStream(redis, 'crawl').add('k', 'v', 1);
    await checkEviction(redis);
    const [message, ...more] = await emitted();
    assert.deepEqual(more, []);
    assert.match(message ?? '', new RegExp(`Redis at 127\\.0\\.0\\.1:${String(server.port)} has maxmemory-policy allkeys-lru with maxmemory 67108864`));
    assert.match(message ?? '', /Set maxmemory-policy noeviction/);
    // Another connection, another family: the same server is not warned about twice.
    const other = client(server);
    await new Queue(other, 'mail').addItems(['m']);
    await checkEviction(other);
    assert.equal((await emitted()).length, 1);
  });

  it('says nothing for noeviction, or for an evicting policy without maxmemory', async () => {
    for (const args of [
      ['--maxmemory', '64mb', '--maxmemory-policy', 'noeviction'],
      ['--maxmemory-policy', 'allkeys-lru'],
    ]) {
      const redis = client(await serverWith(args));
      await new PrioritizedStream(redis, 'crawl').add('k', 'v', 1);
      await checkEviction(redis);
    }
    assert.deepEqual(await emitted(), []);
  });
});

describeEachTopology("the eviction warning on the suite's servers", (kind) => {
  let warnings: string[];
  const onWarning = (warning: Error): void => {
    if ((warning as Error & { code?: string }).code === EVICTION_WARNING_CODE) warnings.push(warning.message);
  };
  beforeEach(() => {
    warnings = [];
    process.on('warning', onWarning);
  });
  afterEach(async () => {
    process.off('warning', onWarning);
    await closeAll();
  });

  it('warns about every master that evicts, naming its address, at the first script of a new connection', async () => {
    const admin = connect();
    const nodes = await masters(admin);
    try {
      for (const node of nodes) await node.config('SET', 'maxmemory', '1gb', 'maxmemory-policy', 'volatile-lru');
      const redis = connect();
      await new PrioritizedStream(redis, uniqueName('evicting')).add('k', 'v', 1);
      await checkEviction(redis);
      await new Promise((resolve) => setImmediate(resolve));
    } finally {
      for (const node of nodes) await node.config('SET', 'maxmemory', '0', 'maxmemory-policy', 'noeviction');
    }
    const addresses = nodes.map((node) => `${node.stream.remoteAddress ?? ''}:${String(node.stream.remotePort)}`);
    assert.equal(warnings.length, nodes.length, `${kind}: ${JSON.stringify(warnings)}`);
    for (const address of addresses) {
      assert.ok(
        warnings.some((w) => w.includes(`Redis at ${address} has maxmemory-policy volatile-lru with maxmemory 1073741824`)),
        `no warning names ${address}: ${JSON.stringify(warnings)}`,
      );
    }
  });
});
