/**
 * A task queue's name goes to its registry beside the first write of a send. When the write
 * itself is refused (an ACL without `publish`, a full server), the send fails with that error and
 * nothing was written, so a registration refused beside it is not reported as "written but could
 * not be registered"; when the write landed, it is.
 */
import assert from 'node:assert/strict';
import RedisMock from 'ioredis-mock';
import sinon from 'sinon';
import { PubSubBroker, type RedisClient } from '../../../src/index.js';

describe('task queue registration beside a send (unit)', () => {
  let client: RedisClient;
  let warn: sinon.SinonStub;
  beforeEach(() => {
    client = new RedisMock();
    sinon.stub(client, 'sadd').rejects(new Error('NOPERM this user has no permissions to access one of the keys used as arguments'));
    warn = sinon.stub(process, 'emitWarning');
  });
  afterEach(async () => {
    sinon.restore();
    await client.quit();
  });
  const registrationWarnings = (): unknown[] => warn.getCalls().filter((c) => String(c.args[0]).includes('could not be registered'));

  it('says nothing about the registration when the write was refused too', async () => {
    sinon.stub(client, 'publish').rejects(new Error('NOPERM this user has no permissions to access the channel'));
    const broker = new PubSubBroker(client, 'news');
    await assert.rejects(broker.sendMany('t', [{ args: 1 }]), /NOPERM|no permissions/);
    await new Promise((resolve) => setImmediate(resolve));
    assert.deepEqual(registrationWarnings(), []);
  });

  it('warns that the name could not be registered when the write landed', async () => {
    sinon.stub(client, 'publish').resolves(0);
    const broker = new PubSubBroker(client, 'news');
    await broker.sendMany('t', [{ args: 1 }]);
    assert.equal(registrationWarnings().length, 1);
    assert.match(String(warn.firstCall.args[0]), /task queue "news" was written but could not be registered/);
  });
});
