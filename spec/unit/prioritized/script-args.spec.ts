/**
 * One definition per script (issue 13): the encoder in `scripts.ts` applies the defaults, and
 * the class methods and the raw `ps*` commands both send what it makes. Checked without a
 * server: the encoders' layouts and defaults, and, on a client that records what is sent,
 * that a method and the matching raw command send the same script with the same KEYS and ARGV.
 */
import assert from 'node:assert/strict';
import { PrioritizedStream, registerCommands, type RedisClient } from '../../../src/index.js';
import { SCRIPTS } from '../../../src/prioritized/scripts.js';
import { DEFAULT_CHUNK_SIZE, DEFAULT_COOLDOWN_MS, DEFAULT_LEASE_MS, DEFAULT_MAX_ATTEMPTS } from '../../../src/prioritized/types.js';
import { recordingClient, type RecordingClient } from './recording-client.js';

describe('script encoders (unit)', () => {
  it('should apply the defaults once, in the encoder', () => {
    assert.deepEqual(SCRIPTS.pullItems.encode({}), [1, '1', '0', DEFAULT_COOLDOWN_MS, '', 1, 'full', '10000:604800000']);
    assert.deepEqual(SCRIPTS.leaseItems.encode({}), [1, DEFAULT_LEASE_MS, DEFAULT_MAX_ATTEMPTS, 100, '', '10000:604800000']);
    assert.deepEqual(
      SCRIPTS.leaseItems.encode({ count: 500, owner: 'w1', deadCaps: '5:0' }),
      [500, DEFAULT_LEASE_MS, DEFAULT_MAX_ATTEMPTS, 500, 'w1', '5:0'],
      'recovers as many as it leases, 100 at least',
    );
    assert.deepEqual(SCRIPTS.ackItems.encode({ pairs: ['k', 'id'] }), ['0', 0, '', 'k', 'id']);
    assert.deepEqual(SCRIPTS.nackItems.encode({ pairs: ['k', 'id'] }), [0, '', '', 'nack', '10000:604800000', 'k', 'id']);
    assert.deepEqual(SCRIPTS.nackItems.encode({ pairs: ['k', 'id'], release: true }), [0, '', '', 'release', '10000:604800000', 'k', 'id']);
    assert.deepEqual(SCRIPTS.deleteBelow.encode({ threshold: 3 }), [3, '0', DEFAULT_CHUNK_SIZE]);
    assert.deepEqual(SCRIPTS.expireItems.encode({}), [DEFAULT_CHUNK_SIZE]);
    assert.deepEqual(SCRIPTS.recoverItems.encode({}), [DEFAULT_CHUNK_SIZE, '10000:604800000']);
    assert.deepEqual(SCRIPTS.readItems.encode({ what: 'keys' }), ['keys', 0, -1]);
    assert.deepEqual(SCRIPTS.readJobs.encode({ which: 'dead' }), ['dead', 0, -1, '0']);
    assert.deepEqual(SCRIPTS.reviveDead.encode({ action: 'purge' }), ['purge', DEFAULT_CHUNK_SIZE]);
    assert.deepEqual(SCRIPTS.incrementItem.encode({ key: 'k' }), ['k', 1]);
  });

  it('should encode an add: flags, merge mode and the delay (delayMs wins over runAt)', () => {
    assert.deepEqual(SCRIPTS.addItem.encode({ key: 'k', value: 'v', priority: 2 }), ['k', 'v', 2, '0', 'sum', '']);
    assert.deepEqual(SCRIPTS.addItem.encode({ key: 'k', value: 'v', priority: 2, readd: true, mode: 'max', delayMs: 50 }), ['k', 'v', 2, '1', 'max', 'in:50']);
    assert.deepEqual(SCRIPTS.addItem.encode({ key: 'k', value: 'v', priority: 2, runAt: 1_700_000_000_000 }), ['k', 'v', 2, '0', 'sum', 'at:1700000000000']);
    assert.deepEqual(SCRIPTS.addItem.encode({ key: 'k', value: 'v', priority: 2, delayMs: 0, runAt: 5 }), ['k', 'v', 2, '0', 'sum', 'in:0']);
    assert.deepEqual(SCRIPTS.addItems.encode({ pairs: ['a', 'A', 'b', 'B'], scored: [-1, 'a', -2, 'b'], reply: 'compact' }), [
      '0',
      'sum',
      'compact',
      '',
      'a',
      'A',
      'b',
      'B',
      -1,
      'a',
      -2,
      'b',
    ]);
  });

  describe('a method and its raw command send the same script call', () => {
    let recorded: RecordingClient;
    let stream: PrioritizedStream;
    let raw: RedisClient;
    const lease = { key: 'job-1', leaseId: '17-1-1' };

    beforeEach(() => {
      recorded = recordingClient();
      raw = recorded.client;
      registerCommands(raw);
      stream = new PrioritizedStream(recorded.client, 'jobs');
    });

    /** Runs the method, then the raw command, and returns the two script calls they sent. */
    async function both(
      method: () => Promise<unknown>,
      command: () => Promise<unknown>,
    ): Promise<[RecordingClient['scripts'][number], RecordingClient['scripts'][number]]> {
      await method().catch(() => undefined); // the recording client answers null, which a method may not expect
      await command();
      const [viaMethod, viaCommand, ...more] = recorded.scripts.filter((s) => s.name !== '');
      assert.equal(more.length, 0);
      assert.ok(viaMethod !== undefined && viaCommand !== undefined, 'both sent a script');
      return [viaMethod, viaCommand];
    }

    const cases: [string, (s: PrioritizedStream) => Promise<unknown>, (r: RedisClient) => Promise<unknown>][] = [
      ['add / psadd', (s) => s.add('k', 'v', 5), (r) => r.psadd('jobs', 'k', 'v', 5)],
      [
        'addMany / psaddmany (but the reply shape)',
        (s) =>
          s.addMany([
            ['a', 'A', 1],
            ['b', 'B', 2],
          ]),
        (r) =>
          r.psaddmany('jobs', [
            ['a', 'A', 1],
            ['b', 'B', 2],
          ]),
      ],
      ['pull / pspull (but the reply shape)', (s) => s.pull({ count: 3, gate: true }), (r) => r.pspull('jobs', 3, true, true)],
      ['increment / psincrement', (s) => s.increment('k', 2), (r) => r.psincrement('jobs', 'k', 2)],
      ['decrementAll / psdecrementall', (s) => s.decrementAll(4), (r) => r.psdecrementall('jobs', 4)],
      ['deleteBelow / psdeletebelowthreshold', (s) => s.deleteBelow(0), (r) => r.psdeletebelowthreshold('jobs', 0)],
      ['keys / pskeys', (s) => s.keys(), (r) => r.pskeys('jobs')],
      ['get / psget', (s) => s.get('k'), (r) => r.psget('jobs', 'k')],
      ['lease / pslease', (s) => s.lease({ count: 3 }), (r) => r.pslease('jobs', 3)],
      ['ack / psack', (s) => s.ack([lease]), (r) => r.psack('jobs', [[lease.key, lease.leaseId]])],
      ['nack / psnack', (s) => s.nack([lease], { delayMs: 10 }), (r) => r.psnack('jobs', [[lease.key, lease.leaseId]], 10)],
      ['extend / psextend', (s) => s.extend([lease], 5000), (r) => r.psextend('jobs', [[lease.key, lease.leaseId]], 5000)],
      ['deadLetters / psdead', (s) => s.deadLetters(), (r) => r.psdead('jobs')],
      ['replayDead / psreplay', (s) => s.replayDead(['k']), (r) => r.psreplay('jobs', 'k')],
      ['purgeDead / pspurgedead', (s) => s.purgeDead(['k']), (r) => r.pspurgedead('jobs', 'k')],
    ];
    for (const [title, method, command] of cases) {
      it(title, async () => {
        const [viaMethod, viaCommand] = await both(
          () => method(stream),
          () => command(raw),
        );
        assert.equal(viaMethod.name, viaCommand.name);
        assert.deepEqual(viaMethod.keys, viaCommand.keys);
        if (title.endsWith('(but the reply shape)')) {
          const shape = title.startsWith('pull') ? 6 : 2; // the ARGV that names the reply's shape
          assert.equal(viaCommand.args[shape], 'full');
          assert.deepEqual(
            [...viaMethod.args.slice(0, shape), ...viaMethod.args.slice(shape + 1)],
            [...viaCommand.args.slice(0, shape), ...viaCommand.args.slice(shape + 1)],
          );
        } else {
          assert.deepEqual(viaMethod.args, viaCommand.args);
        }
      });
    }
  });
});
