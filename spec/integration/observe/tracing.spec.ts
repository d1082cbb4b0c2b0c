/**
 * OpenTelemetry on every topology, with the SDK's in-memory exporter: a produce → Worker → ack
 * run of a topic and of a task queue gives a `send` span whose context travels in the message, a
 * `process` span that is its child (the handler's own spans under it) and an `ack` span under
 * that; a stream's and a queue's jobs (no headers) get their own process spans; a failing handler
 * marks its span and nacks under it; the messaging duration metrics are recorded. Without an SDK
 * registered nothing is written into the messages.
 */
import assert from 'node:assert/strict';
import { context, metrics, propagation, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { AggregationTemporality, MeterProvider, MetricReader, type DataPoint, type Histogram } from '@opentelemetry/sdk-metrics';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { Consumer, Producer, PrioritizedStream, Queue, StreamBroker, Topic, Worker, type RedisClient } from '../../../src/index.js';
import { closeAll, connect, describeEachTopology, tracker, uniqueName, waitFor } from '../support.js';

/** A metric reader the test collects from when it wants. */
class TestReader extends MetricReader {
  public constructor() {
    super({ aggregationTemporalitySelector: () => AggregationTemporality.CUMULATIVE });
  }
  protected override onForceFlush(): Promise<void> {
    return Promise.resolve();
  }
  protected override onShutdown(): Promise<void> {
    return Promise.resolve();
  }
}

/** The data points of one metric, by the operation they measure. */
async function pointsOf(reader: TestReader, name: string): Promise<DataPoint<Histogram | number>[]> {
  const { resourceMetrics } = await reader.collect();
  return resourceMetrics.scopeMetrics.flatMap((s) =>
    s.metrics.filter((m) => m.descriptor.name === name).flatMap((m) => m.dataPoints as DataPoint<Histogram | number>[]),
  );
}

describeEachTopology('observe: OpenTelemetry spans and messaging metrics', () => {
  let redis: RedisClient;
  let exporter: InMemorySpanExporter;
  let reader: TestReader;
  const { track, closeTracked } = tracker();
  const spans = (name: string): ReadableSpan[] => exporter.getFinishedSpans().filter((s) => s.name === name);
  const one = (name: string): ReadableSpan => {
    const found = spans(name);
    assert.equal(
      found.length,
      1,
      `one span ${name}, got ${String(found.length)}: ${exporter
        .getFinishedSpans()
        .map((s) => s.name)
        .join(', ')}`,
    );
    const [span] = found;
    assert.ok(span);
    return span;
  };
  const parentOf = (span: ReadableSpan): string | undefined => span.parentSpanContext?.spanId;

  beforeEach(() => {
    redis = connect();
    exporter = new InMemorySpanExporter();
    reader = new TestReader();
    trace.setGlobalTracerProvider(new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }));
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
    propagation.setGlobalPropagator(new W3CTraceContextPropagator());
    metrics.setGlobalMeterProvider(new MeterProvider({ readers: [reader] }));
  });
  afterEach(async () => {
    trace.disable();
    context.disable();
    propagation.disable();
    metrics.disable();
    await closeTracked();
    await closeAll();
  });

  it('a topic message carries its send span to the Worker: send → process (→ the handler’s span) → ack, one trace', async () => {
    const name = uniqueName('traced');
    const producer = new Producer(redis, name, { partitions: 2 });
    const tracer = trace.getTracer('test');
    await tracer.startActiveSpan('request', async (request) => {
      await producer.send({ value: 'hello', key: 'k1', headers: { mine: 'kept' } });
      request.end();
    });
    const consumer = track(new Consumer(redis, name, { group: 'g', heartbeatMs: 50, sessionTimeoutMs: 300 }));
    let seen: Readonly<Record<string, string>> = {};
    consumer.process((message) => {
      seen = message.headers;
      tracer.startSpan('handler work').end();
    });
    await waitFor(() => spans(`ack ${name}`).length === 1, 10_000, 'the ack span');

    const request = one('request');
    const send = one(`send ${name}`);
    const receive = one(`receive ${name}`);
    const process = one(`process ${name}`);
    const ack = one(`ack ${name}`);
    const work = one('handler work');
    assert.equal(seen.mine, 'kept', "the message's own header is kept beside the trace context");
    assert.match(seen.traceparent ?? '', new RegExp(`^00-${send.spanContext().traceId}-${send.spanContext().spanId}-0[01]$`));
    // The lease is the worker's own operation (a trace of its own), linked to the sends it got.
    assert.notEqual(receive.spanContext().traceId, request.spanContext().traceId);
    for (const span of [send, process, ack, work])
      assert.equal(span.spanContext().traceId, request.spanContext().traceId, `${span.name} is in the request's trace`);
    assert.equal(parentOf(send), request.spanContext().spanId);
    assert.equal(parentOf(process), send.spanContext().spanId, 'process is the child of the send, across the message');
    assert.equal(parentOf(work), process.spanContext().spanId, "the handler's spans are children of process");
    assert.equal(parentOf(ack), process.spanContext().spanId, 'the ack is the child of process');
    assert.deepEqual(
      process.links.map((l) => l.context.spanId),
      [send.spanContext().spanId],
    );
    assert.deepEqual(
      receive.links.map((l) => l.context.spanId),
      [send.spanContext().spanId],
    );
    assert.deepEqual([send.kind, receive.kind, process.kind, ack.kind], [SpanKind.PRODUCER, SpanKind.CLIENT, SpanKind.CONSUMER, SpanKind.CLIENT]);
    assert.deepEqual(send.attributes, {
      'messaging.system': 'good-redis',
      'messaging.destination.name': name,
      'messaging.operation.name': 'send',
      'messaging.operation.type': 'send',
      'good_redis.family': 'topic',
    });
    const partition = (await new Topic(redis, name).describe()).lengths.findIndex((n) => n === 1);
    assert.deepEqual(
      {
        type: process.attributes['messaging.operation.type'],
        group: process.attributes['messaging.consumer.group.name'],
        partition: process.attributes['messaging.destination.partition.id'],
        attempt: process.attributes['good_redis.attempt'],
        id: typeof process.attributes['messaging.message.id'],
      },
      { type: 'process', group: 'g', partition: String(partition), attempt: 1, id: 'string' },
    );
    assert.deepEqual([receive.attributes['messaging.operation.type'], receive.attributes['messaging.batch.message_count']], ['receive', 1]);
    assert.deepEqual([ack.attributes['messaging.operation.type'], ack.attributes['messaging.operation.name']], ['settle', 'ack']);

    const durations = await pointsOf(reader, 'messaging.client.operation.duration');
    const operations = durations.map((p) => String(p.attributes['messaging.operation.name'])).sort();
    assert.deepEqual(operations, ['ack', 'receive', 'send']);
    for (const point of durations) assert.equal((point.value as Histogram).count, 1);
    const processed = await pointsOf(reader, 'messaging.process.duration');
    assert.deepEqual(
      processed.map((p) => [(p.value as Histogram).count, p.attributes['messaging.destination.name'], p.attributes['messaging.consumer.group.name']]),
      [[1, name, 'g']],
    );
    const sent = await pointsOf(reader, 'messaging.client.sent.messages');
    const consumed = await pointsOf(reader, 'messaging.client.consumed.messages');
    assert.deepEqual([sent.map((p) => p.value), consumed.map((p) => p.value)], [[1], [1]]);
  });

  it('a task carries its send span in its envelope: send → process → ack, and a failing task marks its process span and nacks under it', async () => {
    const name = uniqueName('traced-tasks');
    const broker = track(new StreamBroker(redis, name));
    const tracer = trace.getTracer('test');
    const add = broker.task('add', (args: { a: number; b: number }) => {
      tracer.startSpan('adding').end();
      return args.a + args.b;
    });
    const fails = broker.task(
      'fails',
      () => {
        throw new TypeError('no');
      },
      { maxAttempts: 1 },
    );
    const [okId, badId] = await tracer.startActiveSpan('request', async (request) => {
      const handles = [await add.send({ a: 1, b: 2 }), await fails.send(null)];
      request.end();
      return handles.map((h) => h.taskId);
    });
    broker.worker({ concurrency: 1 });
    await waitFor(() => spans(`ack ${name}`).length === 1 && spans(`nack ${name}`).length === 1, 10_000, 'the ack and the nack');

    const request = one('request');
    const sends = spans(`send ${name}`);
    assert.equal(sends.length, 2);
    const processes = spans(`process ${name}`);
    const byId = new Map(processes.map((p) => [p.attributes['messaging.message.id'], p]));
    const ok = byId.get(okId);
    const bad = byId.get(badId);
    assert.ok(ok && bad, 'a process span per task, named by its id');
    const sendIds = new Set(sends.map((s) => s.spanContext().spanId));
    for (const p of [ok, bad]) {
      assert.ok(sendIds.has(parentOf(p) ?? ''), 'process is the child of a send, across the envelope');
      assert.equal(p.spanContext().traceId, request.spanContext().traceId);
    }
    assert.notEqual(parentOf(ok), parentOf(bad), 'each task under its own send');
    assert.equal(parentOf(one('adding')), ok.spanContext().spanId);
    assert.equal(parentOf(one(`ack ${name}`)), ok.spanContext().spanId);
    assert.equal(ok.status.code, SpanStatusCode.UNSET);
    assert.deepEqual([bad.status.code, bad.status.message, bad.attributes['error.type']], [SpanStatusCode.ERROR, 'no', 'TypeError']);
    assert.equal(bad.events.find((e) => e.name === 'exception')?.attributes?.['exception.type'], 'TypeError');
    const nack = one(`nack ${name}`);
    assert.equal(parentOf(nack), bad.spanContext().spanId);
    assert.equal(nack.attributes['good_redis.family'], 'taskQueue');
    const failed = (await pointsOf(reader, 'messaging.process.duration')).find((p) => p.attributes['error.type'] === 'TypeError');
    assert.equal((failed?.value as Histogram | undefined)?.count, 1, 'the failed processing is measured with its error.type');
  });

  it('a stream item and a queue value (no headers) get process spans of their own, with the ack under each', async () => {
    const stream = new PrioritizedStream(redis, uniqueName('traced-stream'));
    const queue = track(new Queue(redis, uniqueName('traced-queue')));
    await stream.add('page-1', 'x', 3);
    await queue.addItem('v');
    track(new Worker(stream, () => undefined));
    track(new Worker(queue, () => undefined));
    await waitFor(() => spans(`ack ${stream.name}`).length === 1 && spans(`ack ${queue.name}`).length === 1, 10_000, 'both acks');
    for (const [object, family] of [
      [stream.name, 'stream'],
      [queue.name, 'queue'],
    ] as const) {
      const send = one(`send ${object}`);
      const process = one(`process ${object}`);
      assert.equal(parentOf(process), undefined, 'nothing carried: a root span');
      assert.equal(process.attributes['good_redis.family'], family);
      assert.equal(parentOf(one(`ack ${object}`)), process.spanContext().spanId);
      assert.equal(send.kind, SpanKind.PRODUCER);
    }
    assert.equal(one(`process ${stream.name}`).attributes['messaging.message.id'], 'page-1');
  });

  it('without an SDK registered, nothing is recorded and nothing is written into the messages; one registered later is used', async () => {
    trace.disable();
    propagation.disable();
    metrics.disable();
    // The propagator alone, without a tracer provider, has no span to inject.
    propagation.setGlobalPropagator(new W3CTraceContextPropagator());
    const name = uniqueName('untraced');
    await new Producer(redis, name, { partitions: 1 }).send({ value: 'v' });
    const [[, fields] = ['', []]] = await redis.xrange(`:tp{${name}#0}:log`, '-', '+');
    assert.deepEqual(fields, ['v', 'v'], 'no h field: no headers');
    const queue = uniqueName('untraced-tasks');
    const handle = await track(new StreamBroker(redis, queue)).send('t', null);
    const [[, task] = ['', []]] = await redis.xrange(`:tq{${queue}}:stream`, '-', '+');
    const envelope = JSON.parse(String(task[task.indexOf('m') + 1])) as Record<string, unknown>;
    assert.equal(envelope.id, handle.taskId);
    assert.deepEqual(Object.keys(envelope).sort(), ['args', 'attempt', 'id', 'labels', 'maxAttempts', 'sentAt', 'task']);
    assert.deepEqual(exporter.getFinishedSpans(), []);
    // An SDK registered after the first sends is used from then on.
    trace.setGlobalTracerProvider(new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }));
    await new Producer(redis, name, { partitions: 1 }).send({ value: 'w' });
    assert.equal(spans(`send ${name}`).length, 1);
  });
});
