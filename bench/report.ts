/** The benchmark's report: targets, the printed table, and the SVG chart. */
import type { Phase } from './timing.js';

/** Everything one run measured. */
export interface Results {
  mode: 'quick' | 'full';
  date: string;
  environment: { node: string; redis: string; bullmq: string; cpus: number };
  config: Record<string, unknown>;
  add: { goodRedis: Phase; reference: Phase; bullmq: Phase };
  /** The default pull (24 h cooldown) against the reference pull that writes the same cooldown. */
  pull: { goodRedis: Phase; reference: Phase; bullmq: Phase };
  /** good-redis pull with `cooldownMs: 0` against the cooldown-free reference pull. */
  pullNoCooldown: { goodRedis: Phase; reference: Phase };
  /**
   * Draining through workers at the same concurrency: the good-redis Worker (lease + ack with
   * `cooldownMs: 0`) against the reference lease + ack and BullMQ's Worker.
   */
  consume: { goodRedis: Phase; reference: Phase; bullmq: Phase };
  /** The same with a 24 h ack cooldown, against the reference ack that writes it too. */
  consumeCooldown: { goodRedis: Phase; reference: Phase };
  /** The same Worker run against a reference consumer that also keeps its next lease in flight. */
  consumeAhead: { goodRedis: Phase; reference: Phase };
  memory: { goodRedis: number; reference: number; bullmq: number };
  /** A good-redis `Queue`'s addItems against the reference FIFO and BullMQ's addBulk without priorities. */
  queueAdd: { goodRedis: Phase; reference: Phase; bullmq: Phase };
  /** Draining the queue through a JobWorker (get + ack, concurrency 100) against the reference get + ack and BullMQ's FIFO Worker. */
  queueConsume: { goodRedis: Phase; reference: Phase; bullmq: Phase };
  /** Bytes per waiting value. */
  queueMemory: { goodRedis: number; reference: number; bullmq: number };
  /** Producer.sendMany (chunks of 1,000 over 4 partitions) against Lua XADD scripts and redisaq's published rate. */
  topicSend: { goodRedis: Phase; reference: Phase; redisaq: Phase };
  /** Consumer.processBatch (batches of 100) against XREADGROUP COUNT 100 + XACK and redisaq's batches of 10. */
  topicConsume: { goodRedis: Phase; reference: Phase; redisaq: Phase };
  /** How long until the survivor holds every partition after the other member leaves, or crashes. */
  rebalance: { leaveMs: number; crashMs: number; sessionTimeoutMs: number; heartbeatMs: number };
  /** No-op tasks sent in batches and run at concurrency 100 with results stored: broker.worker() against a Lua lease + ack + SET reference and BullMQ (addBulk + Worker returning a value). */
  tasks: { goodRedis: Phase; reference: Phase; bullmq: Phase };
  /** One task's round trip to its result on an idle worker: waitResult against BullMQ's waitUntilFinished. */
  taskLatency: { goodRedis: { medianMs: number; p99Ms: number }; bullmq: { medianMs: number; p99Ms: number } };
  /** The commands of one scheduler tick (INFO commandstats) with `due` due of `due` schedules, and of `schedules`. */
  schedulerTick: { schedules: number; due: number; few: Record<string, number>; many: Record<string, number> };
  /** The dashboard's overview and /metrics with many objects: median ms, and commands sent per object. */
  dashboard: { objects: number; overviewMs: number; metricsMs: number; commandsPerObject: { overview: number; metrics: number }; historyMs: number };
  longestScriptMs: { add: number; pull: number };
  decrementAll: { size: number; medianMs: number; p99Ms: number; roundTripMs: number; loopMs: number }[];
  expiry: { items: number; ms: number; itemsPerSecond: number; longestScriptMs: number };
}

/** One target of issue #3 and whether this run met it. */
export interface Verdict {
  target: string;
  value: string;
  met: boolean;
}

const n = (x: number, digits = 0): string => x.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

/** Checks the run against the targets. */
export function evaluate(r: Results): Verdict[] {
  const ratio = (a: number, b: number): number => a / b;
  const first = r.decrementAll[0];
  const last = r.decrementAll[r.decrementAll.length - 1];
  const addRef = ratio(r.add.goodRedis.itemsPerSecond, r.add.reference.itemsPerSecond);
  const addBull = ratio(r.add.goodRedis.itemsPerSecond, r.add.bullmq.itemsPerSecond);
  const pullRef = ratio(r.pull.goodRedis.itemsPerSecond, r.pull.reference.itemsPerSecond);
  const pullBull = ratio(r.pull.goodRedis.itemsPerSecond, r.pull.bullmq.itemsPerSecond);
  const mem = ratio(r.memory.goodRedis, r.memory.reference);
  const consumeBull = ratio(r.consume.goodRedis.itemsPerSecond, r.consume.bullmq.itemsPerSecond);
  const consumeRef = ratio(r.consume.goodRedis.itemsPerSecond, r.consume.reference.itemsPerSecond);
  const consumeCooldownRef = ratio(r.consumeCooldown.goodRedis.itemsPerSecond, r.consumeCooldown.reference.itemsPerSecond);
  const growth = first && last ? last.medianMs / first.medianMs : Number.NaN;
  const queueAddRef = ratio(r.queueAdd.goodRedis.itemsPerSecond, r.queueAdd.reference.itemsPerSecond);
  const taskBull = ratio(r.tasks.goodRedis.itemsPerSecond, r.tasks.bullmq.itemsPerSecond);
  const taskRef = ratio(r.tasks.goodRedis.itemsPerSecond, r.tasks.reference.itemsPerSecond);
  const sameTick = JSON.stringify(Object.entries(r.schedulerTick.few).sort()) === JSON.stringify(Object.entries(r.schedulerTick.many).sort());
  const queueConsumeRef = ratio(r.queueConsume.goodRedis.itemsPerSecond, r.queueConsume.reference.itemsPerSecond);
  const queueConsumeBull = ratio(r.queueConsume.goodRedis.itemsPerSecond, r.queueConsume.bullmq.itemsPerSecond);
  const queueMem = ratio(r.queueMemory.goodRedis, r.queueMemory.reference);
  const sendRef = ratio(r.topicSend.goodRedis.itemsPerSecond, r.topicSend.reference.itemsPerSecond);
  const sendAq = ratio(r.topicSend.goodRedis.itemsPerSecond, r.topicSend.redisaq.itemsPerSecond);
  const batchRef = ratio(r.topicConsume.goodRedis.itemsPerSecond, r.topicConsume.reference.itemsPerSecond);
  const batchAq = ratio(r.topicConsume.goodRedis.itemsPerSecond, r.topicConsume.redisaq.itemsPerSecond);
  const rebalanceBound = r.rebalance.sessionTimeoutMs + r.rebalance.heartbeatMs;
  return [
    { target: 'add >= 0.85x reference', value: `${n(addRef, 2)}x`, met: addRef >= 0.85 },
    { target: 'add >= 7x BullMQ', value: `${n(addBull, 1)}x`, met: addBull >= 7 },
    { target: 'pull (24 h cooldown) >= 0.85x reference with cooldown', value: `${n(pullRef, 2)}x`, met: pullRef >= 0.85 },
    { target: 'pull >= 9x BullMQ', value: `${n(pullBull, 1)}x`, met: pullBull >= 9 },
    { target: 'consume (Worker, ack cooldown 0) >= 0.8x reference lease + ack', value: `${n(consumeRef, 2)}x`, met: consumeRef >= 0.8 },
    { target: 'consume (Worker) >= 5x BullMQ Worker', value: `${n(consumeBull, 1)}x`, met: consumeBull >= 5 },
    { target: 'consume (Worker, 24 h ack cooldown) >= 0.8x reference', value: `${n(consumeCooldownRef, 2)}x`, met: consumeCooldownRef >= 0.8 },
    {
      target: `decrementAll ${n(last?.size ?? 0)} within 2x of ${n(first?.size ?? 0)}`,
      value: `${n(growth, 2)}x`,
      met: growth <= 2,
    },
    { target: 'decrementAll under 1 ms', value: `${n(last?.medianMs ?? Number.NaN, 3)} ms`, met: (last?.medianMs ?? 1) < 1 },
    { target: 'expiry >= 100,000 items/s', value: `${n(r.expiry.itemsPerSecond)}/s`, met: r.expiry.itemsPerSecond >= 100_000 },
    { target: 'no expiry script over 10 ms', value: `${n(r.expiry.longestScriptMs, 2)} ms`, met: r.expiry.longestScriptMs <= 10 },
    { target: 'memory <= 1.1x reference', value: `${n(mem, 2)}x`, met: mem <= 1.1 },
    { target: 'Queue.addItems >= 0.8x reference FIFO', value: `${n(queueAddRef, 2)}x`, met: queueAddRef >= 0.8 },
    { target: 'Queue get + ack (JobWorker) >= 0.7x reference', value: `${n(queueConsumeRef, 2)}x`, met: queueConsumeRef >= 0.7 },
    { target: 'Queue get + ack >= 5x BullMQ FIFO Worker', value: `${n(queueConsumeBull, 1)}x`, met: queueConsumeBull >= 5 },
    { target: 'Queue memory per waiting value <= 1.2x reference', value: `${n(queueMem, 2)}x`, met: queueMem <= 1.2 },
    { target: 'topic sendMany >= 0.7x reference (Lua XADD)', value: `${n(sendRef, 2)}x`, met: sendRef >= 0.7 },
    { target: 'topic sendMany >= 10x redisaq', value: `${n(sendAq, 1)}x`, met: sendAq >= 10 },
    { target: 'topic processBatch >= 0.7x reference (XREADGROUP + XACK)', value: `${n(batchRef, 2)}x`, met: batchRef >= 0.7 },
    { target: 'topic processBatch >= 10x redisaq', value: `${n(batchAq, 1)}x`, met: batchAq >= 10 },
    { target: 'tasks (results stored) >= 5x BullMQ', value: `${n(taskBull, 1)}x`, met: taskBull >= 5 },
    { target: 'tasks (results stored) >= 0.7x reference', value: `${n(taskRef, 2)}x`, met: taskRef >= 0.7 },
    {
      target: 'waitResult median <= 1/3 of BullMQ waitUntilFinished',
      value: `${n(r.taskLatency.goodRedis.medianMs, 2)} vs ${n(r.taskLatency.bullmq.medianMs, 2)} ms`,
      met: r.taskLatency.goodRedis.medianMs <= r.taskLatency.bullmq.medianMs / 3,
    },
    {
      target: `scheduler tick: ${n(r.schedulerTick.schedules)} schedules send what ${n(r.schedulerTick.due)} do`,
      value: sameTick ? 'same commands' : 'different',
      met: sameTick,
    },
    {
      target: `dashboard overview with ${n(r.dashboard.objects)} objects within 250 ms`,
      value: `${n(r.dashboard.overviewMs, 1)} ms`,
      met: r.dashboard.overviewMs <= 250,
    },
    {
      target: `dashboard /metrics with ${n(r.dashboard.objects)} objects within 250 ms`,
      value: `${n(r.dashboard.metricsMs, 1)} ms`,
      met: r.dashboard.metricsMs <= 250,
    },
    {
      target: `rebalance after a crash within session + heartbeat (${n(rebalanceBound)} ms)`,
      value: `${n(r.rebalance.crashMs)} ms`,
      met: r.rebalance.crashMs <= rebalanceBound,
    },
  ];
}

function table(rows: string[][]): string {
  const widths = (rows[0] ?? []).map((_, c) => Math.max(...rows.map((row) => row[c]?.length ?? 0)));
  const line = (row: string[]): string => `| ${row.map((cell, c) => (c === 0 ? cell.padEnd(widths[c] ?? 0) : cell.padStart(widths[c] ?? 0))).join(' | ')} |`;
  const [header, ...body] = rows;
  return [line(header ?? []), `|${widths.map((w, c) => (c === 0 ? `${'-'.repeat(w + 1)}-` : `${'-'.repeat(w + 1)}:`)).join('|')}|`, ...body.map(line)].join(
    '\n',
  );
}

/** Prints the results and verdicts as Markdown tables on stdout. */
export function printReport(r: Results, verdicts: Verdict[]): void {
  const rate = (p: Phase): string => `${n(p.itemsPerSecond)}/s`;
  const x = (a: number, b: number): string => `${n(a / b, 2)}x`;
  /** One throughput row: good-redis, the reference doing the same work, BullMQ, and the two ratios. */
  const row = (label: string, ours: Phase, reference: Phase, bullmq: Phase): string[] => [
    label,
    rate(ours),
    rate(reference),
    rate(bullmq),
    x(ours.itemsPerSecond, reference.itemsPerSecond),
    x(ours.itemsPerSecond, bullmq.itemsPerSecond),
  ];
  /** One memory row: bytes per item of each system, and the two ratios. */
  const memoryRow = (label: string, m: { goodRedis: number; reference: number; bullmq: number }): string[] => [
    label,
    n(m.goodRedis),
    n(m.reference),
    n(m.bullmq),
    x(m.goodRedis, m.reference),
    x(m.goodRedis, m.bullmq),
  ];
  const out: string[] = [];
  out.push(
    `good-redis benchmark, ${r.mode} run, ${r.date}: Node ${r.environment.node}, Redis ${r.environment.redis}, BullMQ ${r.environment.bullmq}, ${String(r.environment.cpus)} CPUs`,
  );
  out.push('');
  out.push(
    table([
      ['metric', 'good-redis', 'reference', 'BullMQ', 'vs reference', 'vs BullMQ'],
      row('add (items/s)', r.add.goodRedis, r.add.reference, r.add.bullmq),
      row('pull, default 24 h cooldown (items/s)', r.pull.goodRedis, r.pull.reference, r.pull.bullmq),
      row('pull, cooldownMs: 0 (items/s)', r.pullNoCooldown.goodRedis, r.pullNoCooldown.reference, r.pull.bullmq),
      row('consume: Worker, ack cooldown 0 (jobs/s)', r.consume.goodRedis, r.consume.reference, r.consume.bullmq),
      row('consume: Worker, 24 h ack cooldown (jobs/s)', r.consumeCooldown.goodRedis, r.consumeCooldown.reference, r.consume.bullmq),
      row('consume: Worker vs a reference leasing ahead too (jobs/s)', r.consumeAhead.goodRedis, r.consumeAhead.reference, r.consume.bullmq),
      row('Queue.addItems (values/s; BullMQ: FIFO addBulk)', r.queueAdd.goodRedis, r.queueAdd.reference, r.queueAdd.bullmq),
      row('Queue get + ack, JobWorker (values/s; BullMQ: FIFO Worker)', r.queueConsume.goodRedis, r.queueConsume.reference, r.queueConsume.bullmq),
      memoryRow('memory (bytes/item)', r.memory),
      memoryRow('Queue memory (bytes/waiting value)', r.queueMemory),
    ]),
  );
  out.push('');
  const aqRow = (label: string, g: { goodRedis: Phase; reference: Phase; redisaq: Phase }): string[] => [
    label,
    rate(g.goodRedis),
    rate(g.reference),
    rate(g.redisaq),
    x(g.goodRedis.itemsPerSecond, g.reference.itemsPerSecond),
    x(g.goodRedis.itemsPerSecond, g.redisaq.itemsPerSecond),
  ];
  out.push(
    table([
      ['topics', 'good-redis', 'reference', "redisaq (its contract's figures)", 'vs reference', 'vs redisaq'],
      aqRow('Producer.sendMany, 4 partitions (messages/s)', r.topicSend),
      aqRow('Consumer.processBatch, batches of 100 (messages/s; redisaq: batches of 10)', r.topicConsume),
    ]),
  );
  out.push('');
  out.push(
    table([
      ['tasks', 'good-redis', 'reference', 'BullMQ', 'vs reference', 'vs BullMQ'],
      row('no-op tasks, results stored, concurrency 100 (tasks/s)', r.tasks.goodRedis, r.tasks.reference, r.tasks.bullmq),
    ]),
  );
  out.push('');
  out.push(
    `one task's round trip to its result on an idle worker: waitResult median ${n(r.taskLatency.goodRedis.medianMs, 2)} ms, p99 ${n(r.taskLatency.goodRedis.p99Ms, 2)} ms; BullMQ waitUntilFinished median ${n(r.taskLatency.bullmq.medianMs, 2)} ms, p99 ${n(r.taskLatency.bullmq.p99Ms, 2)} ms`,
  );
  out.push(
    `scheduler tick, ${n(r.schedulerTick.due)} due: with ${n(r.schedulerTick.due)} schedules ${JSON.stringify(r.schedulerTick.few)}; with ${n(r.schedulerTick.schedules)} ${JSON.stringify(r.schedulerTick.many)}`,
  );
  out.push('');
  out.push(
    `dashboard with ${n(r.dashboard.objects)} objects: overview ${n(r.dashboard.overviewMs, 1)} ms (${n(r.dashboard.commandsPerObject.overview, 1)} commands per object), /metrics ${n(r.dashboard.metricsMs, 1)} ms (${n(r.dashboard.commandsPerObject.metrics, 1)} commands per object), one history sample of every object ${n(r.dashboard.historyMs, 1)} ms`,
  );
  out.push('');
  out.push(
    `rebalance (heartbeat ${n(r.rebalance.heartbeatMs)} ms, session ${n(r.rebalance.sessionTimeoutMs)} ms): a member leaving with close() ${n(r.rebalance.leaveMs)} ms, a member crashing ${n(r.rebalance.crashMs)} ms until the survivor holds every partition`,
  );
  out.push('');
  out.push(
    table([
      ['decrementAll', 'good-redis server median', 'server p99', 'round trip median', 'ZINCRBY loop (good-redis py)', 'loop / ours'],
      ...r.decrementAll.map((d) => [
        `${n(d.size)} items`,
        `${n(d.medianMs, 3)} ms`,
        `${n(d.p99Ms, 3)} ms`,
        `${n(d.roundTripMs, 3)} ms`,
        `${n(d.loopMs, 1)} ms`,
        `${n(d.loopMs / d.medianMs)}x`,
      ]),
    ]),
  );
  out.push('');
  out.push(
    table([
      ['expiry (Expirer.sweepOnce)', 'items', 'time', 'items/s', 'longest script'],
      ['expired cooldowns', n(r.expiry.items), `${n(r.expiry.ms, 1)} ms`, n(r.expiry.itemsPerSecond), `${n(r.expiry.longestScriptMs, 2)} ms`],
    ]),
  );
  out.push('');
  const longest = (ms: number): string => (ms === 0 ? 'under 1 ms (none logged)' : `${n(ms, 2)} ms`);
  out.push(`longest good-redis script (SLOWLOG, commands over 1 ms): add ${longest(r.longestScriptMs.add)}, pull ${longest(r.longestScriptMs.pull)}`);
  out.push('');
  out.push(table([['target', 'this run', 'met'], ...verdicts.map((v) => [v.target, v.value, v.met ? 'yes' : 'NO'])]));
  console.log(out.join('\n'));
}

const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');

/** Draws the throughput and decrementAll results as a self-contained SVG. */
export function renderSvg(r: Results): string {
  const width = 760;
  const colors = { goodRedis: '#d6336c', reference: '#868e96', bullmq: '#1c7ed6' };
  const parts: string[] = [];
  let y = 30;
  parts.push(
    `<text x="20" y="${String(y)}" font-size="16" font-weight="bold">good-redis vs reference vs BullMQ (${esc(r.mode)} run, ${n(Number(r.config.items))} items)</text>`,
  );
  y += 30;
  const groups: [string, { goodRedis: Phase; reference: Phase; bullmq: Phase }][] = [
    ['add', r.add],
    ['pull, 24 h cooldown', r.pull],
    ['consume through workers, ack cooldown 0', r.consume],
  ];
  const max = Math.max(...groups.flatMap(([, g]) => [g.goodRedis.itemsPerSecond, g.reference.itemsPerSecond, g.bullmq.itemsPerSecond]));
  const barMax = width - 300;
  for (const [label, g] of groups) {
    parts.push(`<text x="20" y="${String(y + 12)}" font-size="13" font-weight="bold">${label} (items/s)</text>`);
    y += 20;
    for (const [key, name] of [
      ['goodRedis', 'good-redis'],
      ['reference', 'reference'],
      ['bullmq', 'BullMQ'],
    ] as const) {
      const value = g[key].itemsPerSecond;
      const w = Math.max(1, (value / max) * barMax);
      parts.push(`<text x="30" y="${String(y + 13)}" font-size="12">${name}</text>`);
      parts.push(`<rect x="120" y="${String(y)}" width="${w.toFixed(1)}" height="18" fill="${colors[key]}"/>`);
      parts.push(`<text x="${(125 + w).toFixed(1)}" y="${String(y + 13)}" font-size="12">${n(value)}</text>`);
      y += 24;
    }
    y += 10;
  }
  parts.push(`<text x="20" y="${String(y + 12)}" font-size="13" font-weight="bold">decrementAll (ms, log scale): good-redis O(1) vs a ZINCRBY loop</text>`);
  y += 22;
  const logMax = Math.log10(Math.max(...r.decrementAll.map((d) => d.loopMs)) * 10);
  const logMin = Math.log10(Math.min(...r.decrementAll.map((d) => d.medianMs)) / 10);
  const scale = (ms: number): number => ((Math.log10(ms) - logMin) / (logMax - logMin)) * barMax;
  for (const d of r.decrementAll) {
    parts.push(`<text x="30" y="${String(y + 13)}" font-size="12">${n(d.size)} items</text>`);
    for (const [ms, color, name] of [
      [d.medianMs, colors.goodRedis, 'good-redis'],
      [d.loopMs, colors.reference, 'loop'],
    ] as const) {
      const w = Math.max(1, scale(ms));
      parts.push(`<rect x="120" y="${String(y)}" width="${w.toFixed(1)}" height="14" fill="${color}"/>`);
      parts.push(`<text x="${(125 + w).toFixed(1)}" y="${String(y + 11)}" font-size="11">${name} ${n(ms, ms < 10 ? 3 : 0)} ms</text>`);
      y += 17;
    }
    y += 8;
  }
  y += 10;
  parts.push(
    `<text x="20" y="${String(y)}" font-size="12">expiry: ${n(r.expiry.itemsPerSecond)} cooldowns/s, longest script ${n(r.expiry.longestScriptMs, 2)} ms. Memory per item: good-redis ${n(r.memory.goodRedis)} B, reference ${n(r.memory.reference)} B, BullMQ ${n(r.memory.bullmq)} B.</text>`,
  );
  y += 18;
  parts.push(
    `<text x="20" y="${String(y)}" font-size="11" fill="#666">Node ${esc(r.environment.node)}, Redis ${esc(r.environment.redis)}, BullMQ ${esc(r.environment.bullmq)}, ${String(r.environment.cpus)} CPUs, ${esc(r.date)}</text>`,
  );
  y += 15;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${String(width)}" height="${String(y)}" font-family="sans-serif">\n<rect width="100%" height="100%" fill="white"/>\n${parts.join('\n')}\n</svg>\n`;
}
