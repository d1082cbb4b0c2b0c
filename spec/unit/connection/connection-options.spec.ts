import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Cluster, Redis } from 'ioredis';
import { GoodRedisError, closeConnection, connectionFromEnv, createConnection } from '../../../src/index.js';

const isConfig = (err: unknown): boolean => GoodRedisError.is(err, 'Configuration');

describe('connection options', () => {
  describe('connectionFromEnv', () => {
    it('should prefer REDIS_URL', () => {
      assert.deepEqual(connectionFromEnv({ REDIS_URL: 'redis://h:1/2', REDIS_HOST: 'ignored' }), { url: 'redis://h:1/2' });
    });

    it('should read host, port, db, credentials and TLS', () => {
      assert.deepEqual(
        connectionFromEnv({ REDIS_HOST: 'cache', REDIS_PORT: '6380', REDIS_DB: '3', REDIS_USERNAME: 'u', REDIS_PASSWORD: 'p', REDIS_TLS: 'true' }),
        { redis: { host: 'cache', port: 6380, db: 3, username: 'u', password: 'p', tls: {} } },
      );
    });

    it('should fall back to ioredis defaults with nothing set', () => {
      assert.deepEqual(connectionFromEnv({}), { redis: {} });
      assert.deepEqual(connectionFromEnv({ REDIS_TLS: 'off' }), { redis: {} });
    });

    it('should read cluster nodes, with credentials and TLS for every node', () => {
      assert.deepEqual(connectionFromEnv({ REDIS_CLUSTER_NODES: 'n1:7000, n2 ,[::1]:7002', REDIS_PASSWORD: 'p', REDIS_TLS: '1', REDIS_HOST: 'ignored' }), {
        cluster: {
          nodes: [
            { host: 'n1', port: 7000 },
            { host: 'n2', port: 6379 },
            { host: '::1', port: 7002 },
          ],
          options: { redisOptions: { password: 'p', tls: {} } },
        },
      });
    });

    it('should read sentinels and the master name, following failovers', () => {
      assert.deepEqual(connectionFromEnv({ REDIS_SENTINELS: 's1:26380,s2', REDIS_SENTINEL_MASTER: 'main', REDIS_DB: '2', REDIS_SENTINEL_PASSWORD: 'sp' }), {
        redis: {
          db: 2,
          sentinels: [
            { host: 's1', port: 26380 },
            { host: 's2', port: 26379 },
          ],
          name: 'main',
          failoverDetector: true,
          sentinelPassword: 'sp',
        },
      });
    });

    const refused: [Record<string, string>, RegExp][] = [
      [{ REDIS_URL: 'redis://h', REDIS_CLUSTER_NODES: 'n:1' }, /only one of .*REDIS_URL and REDIS_CLUSTER_NODES/],
      [{ REDIS_CLUSTER_NODES: 'n:1', REDIS_SENTINELS: 's:1', REDIS_SENTINEL_MASTER: 'm' }, /only one of/],
      [{ REDIS_SENTINELS: 's:1' }, /REDIS_SENTINEL_MASTER/],
      [{ REDIS_CLUSTER_NODES: 'n:1', REDIS_DB: '3' }, /REDIS_DB must be 0/],
      [{ REDIS_CLUSTER_NODES: 'n:99999' }, /REDIS_CLUSTER_NODES must be a comma-separated list/],
      [{ REDIS_CLUSTER_NODES: 'n1:1,,n2:2' }, /REDIS_CLUSTER_NODES must be a comma-separated list/],
      [{ REDIS_SENTINELS: 'a:b:c', REDIS_SENTINEL_MASTER: 'm' }, /REDIS_SENTINELS must be a comma-separated list/],
    ];
    for (const [env, message] of refused) {
      it(`should refuse ${JSON.stringify(env)}`, () => {
        assert.throws(
          () => connectionFromEnv(env),
          (err) => isConfig(err) && message.test((err as Error).message),
        );
      });
    }

    describe('TLS files', () => {
      let dir: string;
      const file = (name: string, text: string): string => {
        const path = join(dir, name);
        writeFileSync(path, text);
        return path;
      };
      beforeEach(() => {
        dir = mkdtempSync(join(tmpdir(), 'good-redis-tls-unit-'));
      });
      afterEach(() => {
        rmSync(dir, { recursive: true, force: true });
      });

      it('should read the CA, the client certificate and key and the server name, which turn TLS on for every target', () => {
        const env = {
          REDIS_TLS_CA: file('ca.pem', 'CA'),
          REDIS_TLS_CERT: file('cert.pem', 'CERT'),
          REDIS_TLS_KEY: file('key.pem', 'KEY'),
          REDIS_TLS_SERVERNAME: 'redis.test',
        };
        const tls = { ca: Buffer.from('CA'), cert: Buffer.from('CERT'), key: Buffer.from('KEY'), servername: 'redis.test' };
        assert.deepEqual(connectionFromEnv({ ...env, REDIS_URL: 'rediss://h:1' }), { url: 'rediss://h:1', redis: { tls } });
        assert.deepEqual(connectionFromEnv({ ...env, REDIS_HOST: 'h' }), { redis: { host: 'h', tls } });
        assert.deepEqual(connectionFromEnv({ ...env, REDIS_CLUSTER_NODES: 'n:1' }), {
          cluster: { nodes: [{ host: 'n', port: 1 }], options: { redisOptions: { tls } } },
        });
        const sentinel = connectionFromEnv({ ...env, REDIS_SENTINELS: 's:1', REDIS_SENTINEL_MASTER: 'm' }).redis;
        assert.deepEqual([sentinel?.tls, sentinel?.sentinelTLS, sentinel?.enableTLSForSentinelMode], [tls, tls, true]);
        // The CA alone is enough, and a URL without TLS variables stays as it is.
        assert.deepEqual(connectionFromEnv({ REDIS_TLS_CA: env.REDIS_TLS_CA }), { redis: { tls: { ca: Buffer.from('CA') } } });
        assert.deepEqual(connectionFromEnv({ REDIS_URL: 'rediss://h:1' }), { url: 'rediss://h:1' });
      });

      it('should refuse an unreadable file, a certificate without its key, and TLS files with REDIS_TLS off', () => {
        const ca = file('ca.pem', 'CA');
        const cases: [Record<string, string>, RegExp][] = [
          [{ REDIS_TLS_CA: join(dir, 'missing.pem') }, /REDIS_TLS_CA names ".*missing\.pem", which cannot be read/],
          [{ REDIS_TLS_CERT: file('cert.pem', 'CERT') }, /REDIS_TLS_CERT and REDIS_TLS_KEY go together/],
          [{ REDIS_TLS_KEY: file('key.pem', 'KEY') }, /REDIS_TLS_CERT and REDIS_TLS_KEY go together/],
          [{ REDIS_TLS: 'off', REDIS_TLS_CA: ca, REDIS_TLS_SERVERNAME: 'x' }, /REDIS_TLS is "off" but REDIS_TLS_CA, REDIS_TLS_SERVERNAME are set/],
        ];
        for (const [env, message] of cases) {
          assert.throws(
            () => connectionFromEnv(env),
            (err) => isConfig(err) && message.test((err as Error).message),
            JSON.stringify(env),
          );
        }
      });
    });

    for (const [name, value] of [
      ['REDIS_PORT', 'abc'],
      ['REDIS_PORT', '70000'],
      ['REDIS_DB', '-1'],
      ['REDIS_DB', '1.5'],
      ['REDIS_TLS', 'maybe'],
    ]) {
      it(`should refuse ${String(name)}=${String(value)}`, () => {
        assert.throws(
          () => connectionFromEnv({ [String(name)]: value }),
          (err) => isConfig(err) && (err as Error).message.includes(String(name)),
        );
      });
    }
  });

  describe('createConnection', () => {
    it('should open a standalone client from options', async () => {
      const client = createConnection({ url: 'redis://127.0.0.1:1/4', redis: { lazyConnect: true } });
      assert.ok(client instanceof Redis);
      assert.equal(client.options.db, 4);
      assert.equal(client.options.port, 1);
      await closeConnection(client);
      assert.equal(client.status, 'end');
    });

    it('should open a client from the environment when options name none', async () => {
      const client = createConnection({}, { REDIS_HOST: '127.0.0.2', REDIS_PORT: '7001' }) as Redis;
      client.disconnect();
      assert.equal(client.options.host, '127.0.0.2');
      assert.equal(client.options.port, 7001);
      await closeConnection(client);
    });

    it('should open a Cluster client', async () => {
      const cluster = createConnection({ cluster: { nodes: [{ host: '127.0.0.1', port: 1 }], options: { lazyConnect: true } } });
      assert.ok(cluster instanceof Cluster);
      assert.equal(cluster.isCluster, true);
      await closeConnection(cluster);
    });

    it('should refuse contradictory or malformed settings', () => {
      assert.throws(() => createConnection({ url: 'redis://x', cluster: { nodes: [{ port: 1 }] } }), isConfig);
      assert.throws(() => createConnection({ cluster: { nodes: [] } }), isConfig);
      assert.throws(() => createConnection({ url: 'http://x' }), isConfig);
    });
  });
});
