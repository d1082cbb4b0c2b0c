import assert from 'node:assert/strict';
import { Cluster, Redis } from 'ioredis';
import { GoodRedisError, closeConnection, connectionFromEnv, createConnection } from '../../src/index.js';

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

    for (const [name, value] of [['REDIS_PORT', 'abc'], ['REDIS_PORT', '70000'], ['REDIS_DB', '-1'], ['REDIS_DB', '1.5'], ['REDIS_TLS', 'maybe']]) {
      it(`should refuse ${String(name)}=${String(value)}`, () => {
        assert.throws(() => connectionFromEnv({ [String(name)]: value }), (err) => isConfig(err) && (err as Error).message.includes(String(name)));
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
