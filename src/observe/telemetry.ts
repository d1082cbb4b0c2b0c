/**
 * OpenTelemetry tracing and messaging metrics, by the messaging semantic conventions: a `send`
 * span per write of messages, and in the Worker a `receive` span per lease that got jobs, a
 * `process` span per job (the handler runs inside it, a child of the send that wrote the job when
 * the job carries its trace context) and a `settle` span (`ack`, `nack`) per settle call; the
 * duration histograms and message counters beside them.
 *
 * `@opentelemetry/api` is an optional peer: without it, or without an SDK registered, every
 * function here costs a few comparisons and records nothing. It is loaded with `require` (it ships
 * CommonJS) so that this package has no top-level await and stays loadable by `require(esm)`; the
 * API keeps its registrations in one global, so the copy loaded here sees the SDK the
 * application registered through its own import.
 *
 * @module
 */
import { createRequire } from 'node:module';
import type * as Otel from '@opentelemetry/api';
import type { ObjectRef } from './families.js';

/** The `messaging.system` of every span and measurement. */
export const MESSAGING_SYSTEM = 'good-redis';

/** The instrumentation scope's name (the tracer's and the meter's). */
const SCOPE = 'good-redis';

/** What a job tells about the message it came from, for its spans. */
export interface MessageTrace {
  /** The message's id (`messaging.message.id`). */
  readonly id?: string | undefined;
  /** Its partition (`messaging.destination.partition.id`). */
  readonly partition?: number | undefined;
  /** The headers that carry the context of the send that wrote it (`traceparent`, …). */
  readonly headers?: Readonly<Record<string, string>> | undefined;
}

/** Which object a source's jobs come from, and what each job tells about its message. */
export interface SourceObject<J> extends ObjectRef {
  /** The key prefix of the object (its Workers beat into the worker registry of this prefix). */
  readonly prefix: string;
  /** The consumer group (`messaging.consumer.group.name`), for a topic's consumers. */
  readonly group?: string | undefined;
  /** What one job tells about its message. */
  describe?(job: J): MessageTrace;
}

/** Loads the optional peer; undefined when it is not installed. */
function loadApi(): typeof Otel | undefined {
  try {
    return createRequire(import.meta.url)('@opentelemetry/api') as typeof Otel;
  } catch {
    return undefined;
  }
}

const api = loadApi();

/** The meter's instruments, made once per registered meter provider. */
interface Meters {
  readonly provider: Otel.MeterProvider;
  readonly operationDuration: Otel.Histogram;
  readonly processDuration: Otel.Histogram;
  readonly sent: Otel.Counter;
  readonly consumed: Otel.Counter;
}

/** What records now: the API, the tracer of the registered SDK and the instruments of the registered meter provider (either may be missing). */
export interface Instruments {
  readonly otel: typeof Otel;
  readonly tracer: Otel.Tracer | undefined;
  readonly operationDuration: Otel.Histogram | undefined;
  readonly processDuration: Otel.Histogram | undefined;
  readonly sent: Otel.Counter | undefined;
  readonly consumed: Otel.Counter | undefined;
}

/** The tracer of the registered SDK, with the provider it came from. */
let tracerCache: { readonly provider: Otel.TracerProvider; readonly tracer: Otel.Tracer } | undefined;
/** The instruments of the registered meter provider (undefined: none registered when last looked). */
let meterCache: Meters | undefined;

/** The duration histograms' buckets, in seconds (the conventions' advice). */
const DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10];

/**
 * The registered SDK's tracer, or undefined without one. The API's global provider is a proxy
 * that keeps its identity when an SDK registers behind it, and hands out a `ProxyTracer` until
 * then: such a tracer is not kept, so the next call looks again.
 */
function currentTracer(otel: typeof Otel): Otel.Tracer | undefined {
  const provider = otel.trace.getTracerProvider();
  if (tracerCache?.provider === provider) return tracerCache.tracer;
  const tracer = provider.getTracer(SCOPE);
  if (tracer instanceof otel.ProxyTracer) return undefined;
  tracerCache = { provider, tracer };
  return tracer;
}

/** The registered meter provider's instruments, or undefined without one (a new registration replaces the global itself). */
function currentMeters(otel: typeof Otel): Meters | undefined {
  const provider = otel.metrics.getMeterProvider();
  if (meterCache?.provider === provider) return meterCache;
  const meter = provider.getMeter(SCOPE);
  if (meter === otel.createNoopMeter()) return undefined;
  const advice = { explicitBucketBoundaries: DURATION_BUCKETS };
  meterCache = {
    provider,
    operationDuration: meter.createHistogram('messaging.client.operation.duration', {
      unit: 's',
      description: 'Duration of messaging operation initiated by a producer or consumer client.',
      advice,
    }),
    processDuration: meter.createHistogram('messaging.process.duration', { unit: 's', description: 'Duration of processing operation.', advice }),
    sent: meter.createCounter('messaging.client.sent.messages', {
      unit: '{message}',
      description: 'Number of messages producer attempted to send to the broker.',
    }),
    consumed: meter.createCounter('messaging.client.consumed.messages', {
      unit: '{message}',
      description: 'Number of messages that were delivered to the application.',
    }),
  };
  return meterCache;
}

/** The instruments last made, with the tracer and meters they came from (kept while those stay registered). */
let instrumentsCache: { readonly tracer: Otel.Tracer | undefined; readonly meters: Meters | undefined; readonly instruments: Instruments } | undefined;

/**
 * What records now, or undefined when nothing does (no SDK registered, or the API not installed).
 * The same object while the registrations stay, so a Worker asking once per job and once per
 * step allocates nothing.
 */
function instruments(otel: typeof Otel): Instruments | undefined {
  const tracer = currentTracer(otel);
  const meters = currentMeters(otel);
  if (tracer === undefined && meters === undefined) return undefined;
  const cached = instrumentsCache;
  if (cached !== undefined && cached.tracer === tracer && cached.meters === meters) return cached.instruments;
  const made: Instruments = {
    otel,
    tracer,
    operationDuration: meters?.operationDuration,
    processDuration: meters?.processDuration,
    sent: meters?.sent,
    consumed: meters?.consumed,
  };
  instrumentsCache = { tracer, meters, instruments: made };
  return made;
}

/**
 * What records now: undefined unless the API is installed and an SDK registered a tracer or
 * meter provider (a send, and a Worker's step, then skip their telemetry). Looked up once per
 * send or step, and handed to what records it.
 *
 * @returns the instruments, the same object while the registrations stay
 */
export function activeInstruments(): Instruments | undefined {
  return api === undefined ? undefined : instruments(api);
}

/** The headers a send writes: the current trace context, injected by the registered propagator. */
export type TraceHeaders = Record<string, string>;

/** The attributes every span and measurement of an object carries. */
function baseAttributes(object: ObjectRef, operation: string, type: string): Otel.Attributes {
  return {
    'messaging.system': MESSAGING_SYSTEM,
    'messaging.destination.name': object.name,
    'messaging.operation.name': operation,
    'messaging.operation.type': type,
    'good_redis.family': object.family,
  };
}

/** `error.type` of a failure: a GoodRedisError's kind, else the error's name. */
function errorType(err: unknown): string {
  if (err instanceof Error) return 'kind' in err && typeof err.kind === 'string' ? err.kind : err.name;
  return '_OTHER';
}

/** Marks a span failed by `err`. */
function fail(span: Otel.Span | undefined, otel: typeof Otel, err: unknown): void {
  if (span === undefined) return;
  span.setAttribute('error.type', errorType(err));
  if (err instanceof Error) span.recordException(err);
  span.setStatus({ code: otel.SpanStatusCode.ERROR, message: err instanceof Error ? err.message : String(err) });
}

/** The metric attributes of an operation (the conventions' required and recommended ones only). */
function metricAttributes(object: ObjectRef, operation: string, error: unknown, group?: string): Otel.Attributes {
  const attributes: Otel.Attributes = {
    'messaging.system': MESSAGING_SYSTEM,
    'messaging.destination.name': object.name,
    'messaging.operation.name': operation,
  };
  if (group !== undefined) attributes['messaging.consumer.group.name'] = group;
  if (error !== undefined) attributes['error.type'] = errorType(error);
  return attributes;
}

/**
 * Runs a write of `count` messages to an object inside a `send` span (kind PRODUCER), and
 * records its duration and the messages sent. `write` gets the headers that carry the span's
 * context to the consumer (what the registered propagator injects), or undefined when there is
 * nothing to carry (no API, no SDK, no propagator): a family with headers writes them with its
 * messages.
 *
 * @param object - the object written to
 * @param count - how many messages
 * @param write - the write
 * @returns what the write returns
 */
export function traceSend<T>(object: ObjectRef, count: number, write: (headers: TraceHeaders | undefined) => Promise<T>): Promise<T> {
  const tools = activeInstruments();
  // Not async itself: without an SDK, the write's own promise is all there is.
  if (tools === undefined) return write(undefined);
  return tracedSend(tools, object, count, write);
}

/** {@link traceSend} with an SDK registered. */
async function tracedSend<T>(tools: Instruments, object: ObjectRef, count: number, write: (headers: TraceHeaders | undefined) => Promise<T>): Promise<T> {
  const { otel } = tools;
  const started = performance.now();
  const attributes = baseAttributes(object, 'send', 'send');
  if (count !== 1) attributes['messaging.batch.message_count'] = count;
  const span = tools.tracer?.startSpan(`send ${object.name}`, { kind: otel.SpanKind.PRODUCER, attributes });
  let headers: TraceHeaders | undefined;
  if (span !== undefined) {
    const carrier: TraceHeaders = {};
    otel.propagation.inject(otel.trace.setSpan(otel.context.active(), span), carrier);
    if (Object.keys(carrier).length > 0) headers = carrier;
  }
  return measured(
    otel,
    span,
    () => write(headers),
    (error) => {
      const measures = metricAttributes(object, 'send', error);
      tools.operationDuration?.record((performance.now() - started) / 1000, measures);
      tools.sent?.add(count, measures);
    },
  );
}

/**
 * Runs an operation inside a span (when tracing): a throw, or a failure `failureOf` finds in its
 * result, marks the span failed; the span ends and `measure` records (with the failure, if any)
 * either way.
 */
async function measured<T>(
  otel: typeof Otel,
  span: Otel.Span | undefined,
  run: () => T | Promise<T>,
  measure: (error: unknown) => void,
  failureOf: (result: T) => unknown = () => undefined,
): Promise<T> {
  let error: unknown;
  try {
    const result = await run();
    error = failureOf(result);
    if (error !== undefined) fail(span, otel, error);
    return result;
  } catch (err) {
    error = err;
    fail(span, otel, err);
    throw err;
  } finally {
    span?.end();
    measure(error);
  }
}

/**
 * The spans of one Worker's jobs: made by the Worker when its source says which object it
 * consumes and an SDK is registered (checked per call, so one registered later is used).
 *
 * @typeParam J - the source's jobs
 */
export class WorkerTelemetry<J extends object> {
  private readonly source: SourceObject<J>;
  /** Each running or settling job's process span context, for its settle span. */
  private readonly processed = new WeakMap<J, Otel.SpanContext>();

  /** @param source - what the Worker consumes */
  public constructor(source: SourceObject<J>) {
    this.source = source;
  }

  /**
   * Records a lease that got jobs: a `receive` span (kind CLIENT) from `startedAt`, linked to
   * each job's send, its duration and the messages consumed.
   *
   * @param tools - what records now ({@link activeInstruments})
   * @param jobs - what the lease got (at least one)
   * @param startedAt - when the lease started (epoch ms)
   * @param durationMs - how long it took
   */
  public received(tools: Instruments, jobs: readonly J[], startedAt: number, durationMs: number): void {
    const { otel } = tools;
    if (tools.tracer !== undefined) {
      const attributes = this.attributes('receive', 'receive');
      attributes['messaging.batch.message_count'] = jobs.length;
      const links = jobs.flatMap((job) => this.sendContextLinks(otel, job));
      const span = tools.tracer.startSpan(`receive ${this.source.name}`, { kind: otel.SpanKind.CLIENT, attributes, links, startTime: startedAt });
      span.end(startedAt + durationMs);
    }
    const measures = metricAttributes(this.source, 'receive', undefined, this.source.group);
    tools.operationDuration?.record(durationMs / 1000, measures);
    tools.consumed?.add(jobs.length, measures);
  }

  /**
   * Runs a job's handler inside its `process` span (kind CONSUMER): a child of the send that
   * wrote the job when the job carries that context (and linked to it), else of the context
   * active now. The handler's own spans are its children. Records the processing duration.
   *
   * @param tools - what records now ({@link activeInstruments})
   * @param job - the job
   * @param run - its handler
   * @returns what the handler returns
   */
  public async process<R>(tools: Instruments, job: J, run: () => R | Promise<R>): Promise<R> {
    const { otel } = tools;
    const started = performance.now();
    const message = this.source.describe?.(job);
    let span: Otel.Span | undefined;
    let context = otel.context.active();
    if (tools.tracer !== undefined) {
      const attributes = this.attributes('process', 'process');
      if (message?.id !== undefined) attributes['messaging.message.id'] = message.id;
      if (message?.partition !== undefined) attributes['messaging.destination.partition.id'] = String(message.partition);
      if ('attempt' in job && typeof job.attempt === 'number') attributes['good_redis.attempt'] = job.attempt;
      const parent = message?.headers === undefined ? context : otel.propagation.extract(context, message.headers);
      const sent = otel.trace.getSpanContext(parent);
      const links = sent !== undefined && otel.isSpanContextValid(sent) ? [{ context: sent }] : [];
      span = tools.tracer.startSpan(`process ${this.source.name}`, { kind: otel.SpanKind.CONSUMER, attributes, links }, parent);
      this.processed.set(job, span.spanContext());
      context = otel.trace.setSpan(parent, span);
    }
    return measured(
      otel,
      span,
      () => otel.context.with(context, run),
      (error) => tools.processDuration?.record((performance.now() - started) / 1000, metricAttributes(this.source, 'process', error, this.source.group)),
    );
  }

  /**
   * Runs a settle call (`ack`, `nack`) of jobs inside a `settle` span (kind CLIENT): a child of
   * the job's `process` span when it settles one job, else linked to each one's. An answer that
   * holds an error for some job marks the span failed with the first.
   *
   * @param tools - what records now ({@link activeInstruments})
   * @param operation - `ack` or `nack`
   * @param jobs - the jobs settled
   * @param settle - the call
   * @returns what the call returns
   */
  public async settle<T extends readonly unknown[]>(tools: Instruments, operation: 'ack' | 'nack', jobs: readonly J[], settle: () => Promise<T>): Promise<T> {
    const { otel } = tools;
    const started = performance.now();
    let span: Otel.Span | undefined;
    if (tools.tracer !== undefined) {
      const attributes = this.attributes(operation, 'settle');
      if (jobs.length !== 1) attributes['messaging.batch.message_count'] = jobs.length;
      const contexts = jobs.flatMap((job) => this.processed.get(job) ?? []);
      const [only] = contexts;
      const options = { kind: otel.SpanKind.CLIENT, attributes };
      span =
        jobs.length === 1 && only !== undefined
          ? tools.tracer.startSpan(`${operation} ${this.source.name}`, options, otel.trace.setSpanContext(otel.context.active(), only))
          : tools.tracer.startSpan(`${operation} ${this.source.name}`, { ...options, links: contexts.map((context) => ({ context })) });
    }
    return measured(
      otel,
      span,
      settle,
      (error) => tools.operationDuration?.record((performance.now() - started) / 1000, metricAttributes(this.source, operation, error, this.source.group)),
      (outcomes) => outcomes.find((o) => o instanceof Error),
    );
  }

  /** A span's attributes for this source. */
  private attributes(operation: string, type: string): Otel.Attributes {
    const attributes = baseAttributes(this.source, operation, type);
    if (this.source.group !== undefined) attributes['messaging.consumer.group.name'] = this.source.group;
    return attributes;
  }

  /** A link to the send that wrote the job, when it carries that context. */
  private sendContextLinks(otel: typeof Otel, job: J): Otel.Link[] {
    const headers = this.source.describe?.(job).headers;
    if (headers === undefined) return [];
    const sent = otel.trace.getSpanContext(otel.propagation.extract(otel.ROOT_CONTEXT, headers));
    return sent !== undefined && otel.isSpanContextValid(sent) ? [{ context: sent }] : [];
  }
}
