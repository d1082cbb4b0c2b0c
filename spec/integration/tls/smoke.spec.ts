/**
 * TLS, on a standalone server and a Redis Cluster that listen with TLS only and ask clients for
 * a certificate (certificates made with openssl as the suite starts): the SDK configured from
 * REDIS_TLS_CA, REDIS_TLS_CERT, REDIS_TLS_KEY and REDIS_TLS_SERVERNAME (and a rediss:// URL);
 * a smoke subset of every family (a produce, consume and settle of each); the CLI as a process;
 * and the typed error, naming the target and what to check, for a wrong CA, a wrong server
 * name and a missing client certificate.
 */
import assert from 'node:assert/strict';
import { dirname, join } from 'node:path';
import {
  closeConnection,
  Consumer,
  GoodRedisError,
  openConnection,
  Pool,
  Producer,
  Queue,
  ResultStore,
  StreamBroker,
  StreamRegistry,
  Worker,
  type RedisClient,
} from '../../../src/index.js';
import { runCli } from '../cli/cli-support.js';
import { childEnv, connect, describeEachTopology, fetchAndAck, topologyEnv, uniqueName, waitFor, trackEach } from '../support.js';

describeEachTopology(
  'TLS: every family over a TLS-only topology',
  (kind) => {
    let redis: RedisClient;
    const { track } = trackEach();
    beforeEach(() => {
      redis = connect();
    });

    /** The topology's variables with some replaced or removed (undefined). */
    const envWith = (changes: Record<string, string | undefined>): NodeJS.ProcessEnv =>
      Object.fromEntries(Object.entries({ ...topologyEnv(), ...changes }).filter(([, value]) => value !== undefined));
    /** What openConnection refuses with these variables: a Connection error (checked), its message. */
    const refusal = async (env: NodeJS.ProcessEnv): Promise<string> => {
      let message = '';
      await assert.rejects(openConnection({}, { env }), (err: unknown) => {
        assert.ok(GoodRedisError.is(err, 'Connection'), String(err));
        message = err.message;
        return true;
      });
      return message;
    };
    const target = (): string => {
      const env = topologyEnv();
      return kind === 'tls' ? new URL(env.REDIS_URL ?? '').host : `the cluster at ${env.REDIS_CLUSTER_NODES ?? ''}`;
    };

    it('connects with the CA, the client certificate and the server name from the environment, and only over TLS', async () => {
      const env = topologyEnv();
      assert.ok(env.REDIS_TLS_CA !== undefined && env.REDIS_TLS_SERVERNAME === 'redis.test');
      const client = await openConnection({}, { env });
      try {
        assert.equal(await client.ping(), 'PONG');
        const info = await client.info('server');
        assert.match(info, /redis_version:/);
      } finally {
        await closeConnection(client);
      }
    });

    it('a wrong CA, a wrong server name or no client certificate fails at once with a typed error naming the target and what to check', async () => {
      const otherCa = join(dirname(topologyEnv().REDIS_TLS_CA ?? ''), 'other-ca.crt');
      const wrongCa = await refusal(envWith({ REDIS_TLS_CA: otherCa }));
      assert.ok(wrongCa.startsWith(`cannot connect to Redis at ${target()}: `), wrongCa);
      assert.match(wrongCa, /certificate/i);
      assert.match(wrongCa, /check REDIS_TLS_CA/);
      const wrongName = await refusal(envWith({ REDIS_TLS_SERVERNAME: 'elsewhere.test' }));
      assert.match(wrongName, /ERR_TLS_CERT_ALTNAME_INVALID/);
      assert.match(wrongName, /REDIS_TLS_SERVERNAME/);
      const noCertificate = await refusal(envWith({ REDIS_TLS_CERT: undefined, REDIS_TLS_KEY: undefined }));
      assert.ok(noCertificate.startsWith(`cannot connect to Redis at ${target()}: `), noCertificate);
      // The server names the missing certificate in an alert, or drops the connection first (ECONNRESET): either way the message says what to set.
      assert.match(noCertificate, /set REDIS_TLS_CERT and REDIS_TLS_KEY/);
    });

    it('a prioritized stream: add, a Worker handles and acks, stats', async () => {
      const stream = new StreamRegistry(redis).stream(uniqueName('tls-stream'));
      await stream.addMany([
        ['a', 'x', 2],
        ['b', 'y', 1],
      ]);
      const seen: string[] = [];
      track(
        new Worker(
          stream,
          (job) => {
            seen.push(job.key);
          },
          { blockTimeoutMs: 200 },
        ),
      );
      await waitFor(() => seen.length === 2, 10_000, 'both items handled');
      assert.deepEqual(seen, ['a', 'b']);
      await waitFor(async () => (await stream.stats()).leased === 0, 5000, 'the acks');
      assert.equal((await stream.stats()).added, 2);
    });

    it('a queue and a pool: add, get, ack', async () => {
      const queue = track(new Queue(redis, uniqueName('tls-queue')));
      await queue.addItems(['m1', 'm2']);
      const deliveries = await queue.getItems(2);
      assert.deepEqual(
        deliveries.map((d) => d.value),
        ['m1', 'm2'],
      );
      assert.equal(await queue.ackItems(deliveries), 2);
      const stats = await queue.stats();
      assert.deepEqual([stats.waiting, stats.processing, stats.added], [0, 0, 2]);
      const pool = new Pool(redis, uniqueName('tls-pool'));
      await pool.addItems(['p']);
      const [lease] = await pool.getItems();
      assert.equal(lease?.value, 'p');
      await pool.ackItem(lease);
      assert.equal((await pool.stats()).leased, 0);
    });

    it('a topic: send over two partitions, a consumer group member fetches and acks', async () => {
      const name = uniqueName('tls-topic');
      await new Producer(redis, name, { partitions: 2 }).sendMany([0, 1, 2, 3].map((i) => ({ value: String(i), partition: i % 2 })));
      const consumer = track(new Consumer<string>(redis, name, { group: 'g', heartbeatMs: 50, sessionTimeoutMs: 300 }));
      const got = await fetchAndAck(consumer, 4);
      assert.deepEqual(got.sort(), ['0', '1', '2', '3']);
    });

    it('a task queue: send, a worker runs it, waitResult gets the result through its notice', async () => {
      const broker = track(new StreamBroker(redis, uniqueName('tls-tasks'), { results: track(new ResultStore(redis)) }));
      const add = broker.task('add', (args: { a: number; b: number }) => args.a + args.b);
      const handle = await add.send({ a: 2, b: 3 });
      broker.worker();
      const result = await handle.waitResult({ timeoutMs: 10_000 });
      assert.equal(result.returnValue, 5);
      assert.equal((await broker.stats()).added, 1);
    });

    it('the CLI, as a process, reads the stream it is pointed at through the same variables', async () => {
      const name = uniqueName('tls-cli');
      await new StreamRegistry(redis).stream(name).add('k', 'v', 1);
      const run = await runCli(['streams', '--json'], childEnv());
      assert.equal(run.code, 0, run.stderr);
      const listed = (JSON.parse(run.stdout) as { streams: { name: string }[] }).streams.map((s) => s.name);
      assert.ok(listed.includes(name), run.stdout);
      const refused = await runCli(['streams'], { ...childEnv(), REDIS_TLS_CA: join(dirname(topologyEnv().REDIS_TLS_CA ?? ''), 'other-ca.crt') });
      assert.equal(refused.code, 1);
      assert.match(refused.stderr, /cannot connect to Redis at .*check REDIS_TLS_CA/);
    });
  },
  ['tls', 'tls-cluster'],
);
