/**
 * A task queue's name goes to its registry once the first write of a send landed. When the write
 * itself is refused (an ACL without `publish`, a full server), the send fails with that error,
 * nothing was written, and no registration is sent; when the write landed and its registration
 * failed, that is reported as "written but could not be registered".
 */
import assert from 'node:assert/strict';
import RedisMock from 'ioredis-mock';
import sinon from 'sinon';
import { PubSubBroker, type RedisClient } from '../../../src/index.js';

describe('task queue registration after a send (unit)', () => {
  let client: RedisClient;
  let warn: sinon.SinonStub;
  let sadd: sinon.SinonStub;
  beforeEach(() => {
    client = new RedisMock();
    sadd = sinon.stub(client, 'sadd').rejects(new Error('NOPERM this user has no permissions to access one of the keys used as arguments'));
    warn = sinon.stub(process, 'emitWarning');
  });
  afterEach(async () => {
    sinon.restore();
    await client.quit();
  });
  const registrationWarnings = (): unknown[] => warn.getCalls().filter((c) => String(c.args[0]).includes('could not be registered'));
  /** The registration goes out behind the send's reply without the caller waiting: let it answer. */
  const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

  it('sends no registration when the write was refused, and says nothing of one', async () => {
    sinon.stub(client, 'publish').rejects(new Error('NOPERM this user has no permissions to access the channel'));
    const broker = new PubSubBroker(client, 'news');
    await assert.rejects(broker.sendMany('t', [{ args: 1 }]), /NOPERM|no permissions/);
    await settle();
    assert.equal(sadd.callCount, 0);
    assert.deepEqual(registrationWarnings(), []);
  });

  it('warns that the name could not be registered when the write landed', async () => {
    sinon.stub(client, 'publish').resolves(0);
    const broker = new PubSubBroker(client, 'news');
    await broker.sendMany('t', [{ args: 1 }]);
    await settle();
    assert.equal(sadd.callCount, 1);
    assert.equal(registrationWarnings().length, 1);
    assert.match(String(warn.firstCall.args[0]), /task queue "news" was written but could not be registered/);
  });
});
