/**
 * A connection that drops with a write in flight (issue 12, item 3). ioredis sends a command
 * again when its connection closed before the reply: an add was summed twice, a pull lost its
 * first reply, an ack answered `LeaseLost` after it succeeded. Each test makes Redis run the
 * call and lose its reply (reading paused on the client, `CLIENT KILL` from the server, the
 * unread reply dropped with the socket), then checks that the call failed with a `Connection`
 * error and that its write happened exactly once.
 */
import assert from 'node:assert/strict';
import { Cluster, Redis } from 'ioredis';
import { GoodRedisError, PrioritizedStream, Queue, registerCommands, type Job, type RedisClient } from '../../../src/index.js';
import { closeAll, connect, describeEachTopology, masters, slotOf, uniqueName, waitFor } from '../support.js';

const isConnection = (err: unknown): boolean => GoodRedisError.is(err, 'Connection') && (err as Error).message.includes('whether it ran is unknown');

/** How a call settled. */
type Settled<R> = { value: R; error?: undefined } | { value?: undefined; error: unknown };

describeEachTopology('A connection dropped with a write in flight (issue 12, item 3)', (kind) => {
  let redis: RedisClient;
  let stream: PrioritizedStream;
  const admins: Redis[] = [];

  beforeEach(() => {
    redis = connect();
    stream = new PrioritizedStream(redis, uniqueName('dropped'), { cooldownMs: 0 });
  });
  afterEach(async () => {
    await Promise.all(admins.splice(0).map((admin) => admin.quit()));
    await closeAll();
  });

  /** The connection inside `redis` that serves the stream's slot: the client itself off a cluster. */
  async function connectionServing(client: RedisClient, name: string): Promise<Redis> {
    if (!(client instanceof Cluster)) return client;
    await client.get(`{${name}}:probe`); // connects the slot's master
    const slot = slotOf(name);
    const [address] = client.slots[slot] ?? [];
    const node = client.nodes('master').find((n) => `${n.options.host ?? ''}:${String(n.options.port)}` === address);
    if (node === undefined) throw new Error(`no connection to the master of slot ${String(slot)}`);
    return node;
  }

  /** A connection of the test's own to the server behind `connection`. */
  async function adminOf(connection: Redis): Promise<Redis> {
    const { remoteAddress, remotePort } = connection.stream;
    if (remoteAddress === undefined || remotePort === undefined) throw new Error('the connection is not connected');
    const admin = new Redis({ host: remoteAddress, port: remotePort, maxRetriesPerRequest: 1 });
    admins.push(admin);
    await admin.ping();
    return admin;
  }

  async function scriptsRun(admin: Redis): Promise<number> {
    const stats = await admin.info('commandstats');
    let calls = 0;
    for (const m of stats.matchAll(/^cmdstat_(?:eval|evalsha):calls=(\d+)/gm)) calls += Number(m[1]);
    return calls;
  }

  /**
   * Runs `call` so that Redis runs its script but the reply never arrives: reading on the
   * connection is paused, the script runs (the server counts it), `CLIENT KILL` closes the
   * connection, and the reply, still unread, is dropped with the socket.
   */
  async function replyLost<R>(call: () => Promise<R>, client: RedisClient = redis): Promise<Settled<R>> {
    const connection = await connectionServing(client, stream.name);
    const admin = await adminOf(connection);
    const id = String(await connection.client('ID'));
    const before = await scriptsRun(admin);
    const socket = connection.stream;
    socket.pause();
    const settled = call().then(
      (value): Settled<R> => ({ value }),
      (error: unknown): Settled<R> => ({ error }),
    );
    await waitFor(async () => (await scriptsRun(admin)) > before, 5000, 'Redis to run the script');
    assert.equal(await admin.client('KILL', 'ID', id), 1);
    socket.destroy();
    return settled;
  }

  function assertFailedUnknown(settled: Settled<unknown>): void {
    assert.equal(settled.value, undefined, `the call resolved with ${JSON.stringify(settled.value)}`);
    assert.ok(isConnection(settled.error), `the call failed with ${String(settled.error)}`);
  }

  it("a queue's getItems: fails with Connection, and the deliveries it made go back to the head, in order, none left held", async () => {
    const queue = new Queue(redis, stream.name); // the same hash tag, so the same connection
    try {
      await queue.addItems(['1', '2', '3']);
      assertFailedUnknown(await replyLost(() => queue.getItems(2)));
      const list = `:q{${stream.name}}:list`;
      await waitFor(async () => (await redis.llen(list)) === 3, 10_000, 'the lost deliveries to be handed back');
      assert.deepEqual(await redis.lrange(list, 0, -1), ['3', '2', '1']);
      assert.equal(await redis.zcard(`:q{${stream.name}}:held`), 0);
    } finally {
      await queue.close({ handBack: false });
    }
  });

  it('add: fails with Connection, and the priority is summed once', async () => {
    await stream.add('k', 'v', 5);
    assertFailedUnknown(await replyLost(() => stream.add('k', 'v', 5)));
    assert.equal(await stream.increment('k', 0), 10);
  });

  it('addMany: fails with Connection, and every priority is summed once', async () => {
    await stream.addMany([
      ['a', 'A', 1],
      ['b', 'B', 1],
    ]);
    assertFailedUnknown(
      await replyLost(() =>
        stream.addMany([
          ['a', 'A', 1],
          ['b', 'B', 2],
        ]),
      ),
    );
    assert.deepEqual(await stream.entries(), [
      { key: 'b', value: 'B', priority: 3 },
      { key: 'a', value: 'A', priority: 2 },
    ]);
  });

  it('increment and decrementAll: fail with Connection, and each applies once', async () => {
    await stream.add('k', 'v', 5);
    assertFailedUnknown(await replyLost(() => stream.increment('k', 3)));
    assert.equal(await stream.increment('k', 0), 8);
    assertFailedUnknown(await replyLost(() => stream.decrementAll(2)));
    assert.equal(await stream.increment('k', 0), 6);
  });

  it('pull: fails with Connection instead of answering with the next items; exactly the items asked for left', async () => {
    await stream.addMany([
      ['a', 'A', 4],
      ['b', 'B', 3],
      ['c', 'C', 2],
      ['d', 'D', 1],
    ]);
    assertFailedUnknown(await replyLost(() => stream.pull({ count: 2 })));
    assert.deepEqual(await stream.keys(), ['c', 'd']);
  });

  it('lease: fails with Connection, and exactly one job is leased', async () => {
    await stream.addMany([
      ['a', 'A', 2],
      ['b', 'B', 1],
    ]);
    assertFailedUnknown(await replyLost(() => stream.lease({ count: 1, leaseMs: 60_000 })));
    assert.deepEqual(
      (await stream.leases()).map((l) => l.key),
      ['a'],
    );
    assert.deepEqual(await stream.keys(), ['b']);
  });

  it('ack: fails with Connection instead of LeaseLost, and the job is finished once', async () => {
    await stream.addMany([
      ['a', 'A', 2],
      ['b', 'B', 1],
    ]);
    const [job] = await stream.lease({ count: 1, leaseMs: 60_000 });
    const settled = await replyLost(() => stream.ack([job as Job<string>]));
    assert.ok(!GoodRedisError.is(settled.error, 'LeaseLost'), 'the ack was sent again and answered LeaseLost');
    assertFailedUnknown(settled);
    assert.deepEqual(await stream.leases(), []);
    assert.deepEqual(await stream.keys(), ['b']);
    assert.deepEqual(await stream.deadLetters(), []);
  });

  it('nack: fails with Connection, and the job is back in the stream once', async () => {
    await stream.add('a', 'A', 2);
    const [job] = await stream.lease({ count: 1, leaseMs: 60_000, maxAttempts: 5 });
    assertFailedUnknown(await replyLost(() => stream.nack([job as Job<string>])));
    assert.deepEqual(await stream.leases(), []);
    assert.deepEqual(await stream.entries(), [{ key: 'a', value: 'A', priority: 2 }]);
    const [again] = await stream.lease({ count: 1 });
    assert.equal(again?.attempt, 2);
  });

  it('extend and remove: fail with Connection, and apply once', async () => {
    await stream.addMany([
      ['a', 'A', 2],
      ['b', 'B', 1],
    ]);
    const [job] = await stream.lease({ count: 1, leaseMs: 1000 });
    assertFailedUnknown(await replyLost(() => stream.extend([job as Job<string>], 60_000)));
    const [lease] = await stream.leases();
    assert.ok((lease?.deadline ?? 0) > Date.now() + 30_000, 'the lease was extended');
    assertFailedUnknown(await replyLost(() => stream.remove(['b'])));
    assert.deepEqual(await stream.keys(), []);
  });

  it('a raw command fails with Connection too, and applies once', async () => {
    const raw = connect();
    registerCommands(raw);
    await raw.psadd(stream.name, 'k', 'v', 5);
    assertFailedUnknown(await replyLost(() => raw.psadd(stream.name, 'k', 'v', 5), raw));
    assert.equal(await stream.increment('k', 0), 10);
  });

  it('a read is sent again after the reconnect and answers', async () => {
    await stream.add('k', 'v', 5);
    const connection = await connectionServing(redis, stream.name);
    const admin = await adminOf(connection);
    const id = String(await connection.client('ID'));
    const before = await scriptsRun(admin);
    connection.stream.pause();
    const read = stream.entries();
    await waitFor(async () => (await scriptsRun(admin)) > before, 5000, 'Redis to run the read');
    await admin.client('KILL', 'ID', id);
    connection.stream.destroy();
    assert.deepEqual(await read, [{ key: 'k', value: 'v', priority: 5 }]);
  });

  it('an add killed before it ran fails with Connection and writes nothing', async () => {
    await stream.add('k', 'v', 5);
    const connection = await connectionServing(redis, stream.name);
    const admin = await adminOf(connection);
    const id = String(await connection.client('ID'));
    await admin.client('PAUSE', 10_000, 'WRITE'); // the script waits, unrun; CLIENT KILL and CLIENT LIST do not
    try {
      const settled = stream.add('k', 'v', 5).then(
        (value): Settled<number | null> => ({ value }),
        (error: unknown): Settled<number | null> => ({ error }),
      );
      await waitFor(async () => new RegExp(`^id=${id} .*cmd=eval`, 'm').test(String(await admin.client('LIST'))), 5000, 'the add to wait');
      await admin.client('KILL', 'ID', id);
      await admin.client('UNPAUSE');
      assertFailedUnknown(await settled);
    } finally {
      await admin.client('UNPAUSE');
    }
    assert.equal(await stream.increment('k', 0), 5);
  });

  it('scripts flushed under a live connection: the next call is answered NOSCRIPT, sent again as EVAL, and applies once', async () => {
    await stream.add('k', 'v', 5);
    for (const server of await masters(redis)) await server.script('FLUSH');
    assert.equal(await stream.add('k', 'v', 5), 10);
    assert.equal(await stream.increment('k', 0), 10);
    if (kind !== 'standalone') {
      const replicated = new PrioritizedStream(redis, stream.name, { cooldownMs: 0, replication: { replicas: 1 } });
      for (const server of await masters(redis)) await server.script('FLUSH');
      assert.equal(await replicated.add('k', 'v', 5), 15);
    }
  });

  if (kind !== 'standalone') {
    it('with replication, a lost reply fails with Connection and the add is summed once', async () => {
      const replicated = new PrioritizedStream(redis, stream.name, { cooldownMs: 0, replication: { replicas: 1 } });
      await replicated.add('k', 'v', 5);
      assertFailedUnknown(await replyLost(() => replicated.add('k', 'v', 5)));
      assert.equal(await stream.increment('k', 0), 10);
    });
  }
});
