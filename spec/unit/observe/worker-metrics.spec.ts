/**
 * observeWorker over a fake JobSource (no Redis): the jobs counter by outcome and the handler
 * duration histogram, shared by two Workers in one registry, read back from the registry's
 * Prometheus text with a text-format parser (the histogram's counts structured); stopping the observation stops the counting.
 */
import assert from 'node:assert/strict';
import parsePrometheusTextFormat from 'parse-prometheus-text-format';
import { Registry } from 'prom-client';
import { GoodRedisError, HANDLER_SECONDS_METRIC, JOBS_METRIC, JobWorker, observeWorker } from '../../../src/index.js';
import { FakeSource, jobs, until, type FakeJob } from '../jobs/fake-source.js';

async function scrape(registry: Registry): Promise<ReturnType<typeof parsePrometheusTextFormat>> {
  return parsePrometheusTextFormat(await registry.metrics());
}

describe('observeWorker (unit, fake source)', () => {
  const workers: JobWorker<FakeJob>[] = [];
  afterEach(async () => {
    await Promise.all(workers.splice(0).map((w) => w.close({ timeoutMs: 0 })));
  });

  function worker(source: FakeSource, handler: (job: FakeJob) => unknown): JobWorker<FakeJob> {
    const w = new JobWorker(source, handler, { blockTimeoutMs: 60_000, maxAttempts: 2 });
    w.on('error', () => undefined);
    workers.push(w);
    return w;
  }

  it('counts completed, failed and dead jobs per object and times their handlers, for two Workers in one registry', async () => {
    const registry = new Registry();
    const a = new FakeSource();
    const b = new FakeSource();
    a.push(...jobs(3));
    b.push(...jobs(2));
    b.dying.add('j0');
    b.dying.add('j1');
    const wa = worker(a, (job) => {
      if (job.id === 'j1') throw new Error('boom');
      return 'ok';
    });
    const wb = worker(b, () => {
      throw new Error('always');
    });
    observeWorker(wa, { registry, family: 'taskQueue', name: 'emails' });
    observeWorker(wb, { registry, family: 'queue', name: 'mail' });
    let settled = 0;
    let dead = 0;
    for (const w of [wa, wb]) {
      w.on('completed', () => settled++);
      w.on('failed', () => settled++);
      w.on('dead', () => dead++);
    }
    await until(() => settled === 5 && dead === 2, 'every job settled');
    const families = await scrape(registry);
    const counts = new Map(
      (families.find((f) => f.name === JOBS_METRIC)?.metrics ?? []).map((m) => [Object.values(m.labels ?? {}).join('/'), Number(m.value)]),
    );
    assert.deepEqual([...counts].sort(), [
      ['queue/mail/dead', 2],
      ['queue/mail/failed', 2],
      ['taskQueue/emails/completed', 2],
      ['taskQueue/emails/failed', 1],
    ]);
    // The histogram's counts, read structured (the text parser mislabels histogram series whose `le` comes first, as prom-client writes them).
    const histogram = await registry.getSingleMetric(HANDLER_SECONDS_METRIC)?.get();
    const timed = new Map(
      (histogram?.values ?? [])
        .filter((v) => (v as { metricName?: string }).metricName === `${HANDLER_SECONDS_METRIC}_count`)
        .map((v) => [[v.labels.family, v.labels.name, v.labels.outcome].join('/'), v.value]),
    );
    assert.equal(timed.get('taskQueue/emails/completed'), 2);
    assert.equal(timed.get('taskQueue/emails/failed'), 1);
    assert.equal(timed.get('queue/mail/failed'), 2);
  });

  it('stops counting when the observation stops, and refuses a bad family or name', async () => {
    const registry = new Registry();
    const source = new FakeSource();
    const w = worker(source, () => 'ok');
    const stop = observeWorker(w, { registry, family: 'stream', name: 's' });
    stop();
    source.push(...jobs(2));
    await until(() => source.acks.flat().length === 2, 'both acked');
    const counter = (await scrape(registry)).find((f) => f.name === JOBS_METRIC);
    assert.equal(counter?.metrics.length ?? 0, 0);
    assert.throws(
      () => observeWorker(w, { registry, family: 'streams' as never, name: 's' }),
      (e) => GoodRedisError.is(e, 'InvalidArgument'),
    );
    assert.throws(
      () => observeWorker(w, { registry, family: 'stream', name: 1 as never }),
      (e) => GoodRedisError.is(e, 'InvalidArgument'),
    );
  });
});
