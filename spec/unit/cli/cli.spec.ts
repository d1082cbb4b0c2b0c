import { Readable } from 'node:stream';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { PassThrough, Writable } from 'node:stream';
import { GoodRedisError } from '../../../src/index.js';
import { CliError, describeFailure, formatDuration, parseCount, parseDuration, parseNumber, type CliIO, type Output } from '../../../src/cli/cli-support.js';
import { Logger } from '../../../src/cli/expirer-daemon.js';
import { formatPriority, shorten, table } from '../../../src/cli/format.js';
import { boundedLines, formatOf, parseCsvLine, parseJsonLine, type InputLine } from '../../../src/cli/import.js';
import { CLI_VERSION, confirm } from '../../../src/cli/program.js';
import { ProgressBar } from '../../../src/cli/progress.js';
import { topLines, topRow, type TopRow, type TopSnapshot } from '../../../src/cli/top.js';
import type { ObjectFamily } from '../../../src/overview/inventory.js';

/** A writable that keeps what it gets, a terminal or not. */
function sink(isTTY: boolean): Output & { text: () => string } {
  let text = '';
  const out = new Writable({
    write(chunk: Buffer, _encoding, done) {
      text += chunk.toString();
      done();
    },
  }) as Output & { text: () => string };
  out.isTTY = isTTY;
  out.text = () => text;
  return out;
}

const usageError = (message: RegExp) => (err: unknown) => err instanceof CliError && err.code === 2 && message.test(err.message);

describe('CLI pieces (unit)', () => {
  describe('parseDuration', () => {
    const ms = parseDuration('--cooldown');
    it('should read units, sums and fractions as milliseconds', () => {
      assert.deepEqual(
        ['0', '500ms', '30s', '10m', '1h30m', '1.5h', '2d', '1m30s250ms'].map(ms),
        [0, 500, 30_000, 600_000, 5_400_000, 5_400_000, 172_800_000, 90_250],
      );
    });
    it('should refuse bare numbers, unknown units, gaps, negatives and fractions of a millisecond', () => {
      for (const bad of ['600', '10x', '', '10 m', '-5s', '0.5ms', 'm', '1h 30m', '10mm']) {
        assert.throws(() => ms(bad), usageError(/^--cooldown: bad duration/), bad);
      }
    });
  });

  describe('parseCount and parseNumber', () => {
    it('should take integers in range and finite numbers, and refuse the rest as usage errors', () => {
      assert.equal(parseCount('--count', 1, 10)('10'), 10);
      for (const bad of ['0', '11', '1.5', 'x', '', '-1'])
        assert.throws(() => parseCount('--count', 1, 10)(bad), usageError(/^--count must be an integer from 1 to 10/), bad);
      assert.deepEqual(['-2.5', '1e3', '0'].map(parseNumber('by')), [-2.5, 1000, 0]);
      for (const bad of ['', 'NaN', 'Infinity', 'abc']) assert.throws(() => parseNumber('by')(bad), usageError(/^by must be a finite number/), bad);
    });
  });

  describe('formatDuration', () => {
    it('should write the two largest units', () => {
      assert.deepEqual([0, 999, 1000, 59_999, 61_000, 3_600_000, 86_399_000, 90_000_000].map(formatDuration), [
        '0ms',
        '999ms',
        '1s',
        '59s',
        '1m 1s',
        '1h 0m',
        '23h 59m',
        '1d 1h',
      ]);
    });
  });

  describe('describeFailure', () => {
    it('should map CLI, usage-like SDK, and other errors to their exit codes, on one line', () => {
      assert.deepEqual(describeFailure(new CliError('x', 3)), { message: 'x', code: 3 });
      assert.equal(describeFailure(new GoodRedisError('InvalidArgument', 'bad')).code, 2);
      assert.equal(describeFailure(new GoodRedisError('Configuration', 'bad')).code, 2);
      assert.equal(describeFailure(new GoodRedisError('Replication', 'late')).code, 1);
      assert.deepEqual(describeFailure(new Error('first\nsecond')), { message: 'first', code: 1 });
    });
  });

  describe('format', () => {
    it('should align a table, numbers to the right, without trailing spaces', () => {
      assert.deepEqual(
        table(
          [{ title: 'NAME' }, { title: 'N', right: true }, { title: 'V' }],
          [
            ['a', '10', ''],
            ['long-name', '2', 'x'],
          ],
        ),
        ['NAME        N  V', 'a          10', 'long-name   2  x'],
      );
    });
    it('should shorten values with an ellipsis and escape control characters', () => {
      assert.equal(shorten('abcdef', 4), 'abc…');
      assert.equal(shorten('abcd', 4), 'abcd');
      assert.equal(shorten('a\nb\tc\u0000', 20), 'a\\nb\\tc\\u0000');
      assert.equal(shorten('😀😀😀', 2), '😀…'); // by code point, never half a surrogate pair
    });
    it('should print integer priorities as they are and round long fractions', () => {
      assert.deepEqual([7, -3, 7.25, 0.1 + 0.2].map(formatPriority), ['7', '-3', '7.25', '0.3']);
    });
  });

  describe('import lines', () => {
    it('should read JSON lines: strings as they are, other values as JSON, priority 1 by default', () => {
      assert.deepEqual(parseJsonLine('{"key":"k","value":"v","priority":-2.5,"extra":1}'), { key: 'k', value: 'v', priority: -2.5 });
      assert.deepEqual(parseJsonLine('{"key":"k","value":{"a":[1]}}'), { key: 'k', value: '{"a":[1]}', priority: 1 });
      assert.deepEqual(parseJsonLine('{"key":"k","value":"v"}', 'json'), { key: 'k', value: '"v"', priority: 1 }, 'a JSON string under --codec json');
      assert.deepEqual(parseCsvLine('k,"[1, 2]"', 'json'), { key: 'k', value: '[1,2]', priority: 1 });
      assert.match((parseCsvLine('k,v', 'json') as { error: string }).error, /not valid JSON/);
      assert.equal(parseJsonLine('   '), null);
      assert.deepEqual(
        [
          '{"key":',
          '"text"',
          '{"value":"v"}',
          '{"key":"","value":"v"}',
          '{"key":"k"}',
          '{"key":"k","value":"v","priority":"5"}',
          '{"key":"k","value":"v","priority":null}',
        ].map((line) => parseJsonLine(line)),
        [
          { error: 'not valid JSON' },
          { error: 'not a JSON object' },
          { error: 'key must be a non-empty string' },
          { error: 'key must be a non-empty string' },
          { error: 'value is missing' },
          { error: 'priority must be a finite number' },
          { error: 'priority must be a finite number' },
        ],
      );
    });
    it('should read CSV with RFC 4180 quotes within a line', () => {
      assert.deepEqual(parseCsvLine('a,"x, ""y""",2'), { key: 'a', value: 'x, "y"', priority: 2 });
      assert.deepEqual(parseCsvLine('a,b'), { key: 'a', value: 'b', priority: 1 });
      assert.deepEqual(parseCsvLine('a,,'), { key: 'a', value: '', priority: 1 });
      assert.deepEqual(parseCsvLine('"",v'), { error: 'key must be a non-empty string' });
      assert.deepEqual(parseCsvLine('a,"open'), { error: 'unterminated quoted field' });
      assert.deepEqual(parseCsvLine('a,"x"y'), { error: 'text after a closing quote' });
      assert.deepEqual(parseCsvLine('only'), { error: 'expected key,value[,priority], got 1 field(s)' });
      assert.deepEqual(parseCsvLine('a,b,1e400'), { error: 'priority must be a finite number, got "1e400"' });
    });
    it('should tell the format from --format or the file name, or say how to', () => {
      assert.deepEqual(
        [formatOf('x.JSONL', undefined), formatOf('x.ndjson', undefined), formatOf('x.csv', undefined), formatOf('-', 'csv')],
        ['jsonl', 'jsonl', 'csv', 'csv'],
      );
      assert.throws(() => formatOf('-', undefined), usageError(/cannot tell the format of "-"/));
      assert.throws(() => formatOf('x.csv', 'xml'), usageError(/--format must be one of jsonl, csv/));
    });
  });

  describe('ProgressBar', () => {
    it('should draw the bar in place on a terminal, at most every 100 ms, and clear it at the end', () => {
      const out = sink(true);
      let now = 0;
      const bar = new ProgressBar(out, 1000, () => now);
      now = 1000;
      bar.update({ bytes: 250, lines: 400, items: 300 });
      now = 1050;
      bar.update({ bytes: 300, lines: 500, items: 400 }); // too soon: not drawn
      now = 2000;
      bar.update({ bytes: 1000, lines: 1000, items: 900 });
      bar.finish();
      assert.equal(
        out.text(),
        `\r[######··················]  25%  400 lines  300 items/s  ETA 3s\x1b[K` +
          `\r[########################] 100%  1000 lines  450 items/s\x1b[K` +
          '\r\x1b[K',
      );
    });
    it('should show counts without a bar for an input of unknown size, and draw nothing off a terminal', () => {
      const bar = new ProgressBar(sink(true), undefined, () => 0);
      assert.equal(bar.render({ bytes: 10, lines: 20, items: 20 }, 2000), '20 lines  10 items/s');
      const piped = sink(false);
      const quiet = new ProgressBar(piped, 100);
      quiet.update({ bytes: 50, lines: 1, items: 1 });
      quiet.finish();
      assert.equal(piped.text(), '');
    });
  });

  describe('top', () => {
    const snapshot = (added: number, completed: number, now: number, family: ObjectFamily = 'stream', name = 's'): TopSnapshot => ({
      counts: { family, name, states: { waiting: 5, leased: 3, dead: 4 }, added },
      completed,
      now,
    });
    it('should compute add and completion rates per second of server clock, none on the first frame, from 0 after a reset', () => {
      assert.equal(topRow(snapshot(10, 0, 1000), undefined).addRate, null);
      const row = topRow(snapshot(30, 5, 3000), snapshot(10, 0, 1000));
      assert.deepEqual([row.family, row.name, row.addRate, row.completedRate, row.states], ['stream', 's', 10, 2.5, { waiting: 5, leased: 3, dead: 4 }]);
      assert.equal(topRow(snapshot(4, 0, 2000), snapshot(100, 0, 1000)).addRate, 4); // the counter went down: reset
      assert.equal(topRow(snapshot(4, 0, 1000), snapshot(1, 0, 1000)).addRate, null); // no time passed
    });
    it('should list objects of every family, the busiest first, then those holding the most work', () => {
      const row = (family: ObjectFamily, name: string, waiting: number, rate: number | null): TopRow => ({
        family,
        name,
        states: family === 'topic' ? { messages: waiting } : { waiting }, // each family's word for the work that waits
        added: 0,
        completed: 0,
        addRate: rate,
        completedRate: rate,
      });
      const lines = topLines(
        [row('queue', 'quiet', 100, 0), row('taskQueue', 'busy', 1, 5), row('topic', 'big', 200, 0), row('pool', 'new', 0, null)],
        'header',
      );
      assert.deepEqual(
        lines.slice(2).map((l) => l.split(/\s+/).slice(0, 2).join(' ')),
        ['FAMILY NAME', 'taskQueue busy', 'topic big', 'queue quiet', 'pool new'],
      );
      assert.match(lines[3] ?? '', /5\.0 +5\.0 +waiting 1$/);
      assert.deepEqual(topLines([], 'h'), ['h', '', 'No registered objects.']);
    });
  });

  describe('Logger', () => {
    const clock = (): Date => new Date('2026-11-22T10:00:00.000Z');
    it('should write JSON lines with time, level and msg first', () => {
      const out = sink(false);
      new Logger(out, 'json', false, clock).log('info', 'sweep finished', { expired: 3, stream: null });
      assert.equal(out.text(), '{"time":"2026-11-22T10:00:00.000Z","level":"info","msg":"sweep finished","expired":3,"stream":null}\n');
    });
    it('should write text lines, quoting what needs it, and drop debug unless verbose', () => {
      const out = sink(false);
      const log = new Logger(out, 'text', false, clock);
      log.log('debug', 'hidden');
      log.log('warn', 'redis connection error', { error: 'connect ECONNREFUSED', prefix: '', n: 2 });
      assert.equal(out.text(), '2026-11-22T10:00:00.000Z WARN  redis connection error error="connect ECONNREFUSED" prefix="" n=2\n');
      const verbose = sink(false);
      new Logger(verbose, 'json', true, clock).log('debug', 'shown');
      assert.match(verbose.text(), /"msg":"shown"/);
    });
  });

  describe('confirm', () => {
    const io = (answer: string): CliIO & { asked: () => string } => {
      const stdin = new PassThrough();
      stdin.end(answer);
      const stderr = sink(true);
      return { stdin, stdout: sink(true), stderr, env: {}, asked: () => stderr.text() };
    };
    it('should ask on stderr and take only y or yes', async () => {
      for (const [answer, yes] of [
        ['y\n', true],
        ['YES\n', true],
        [' yes \n', true],
        ['n\n', false],
        ['\n', false],
        ['yep\n', false],
      ] as const) {
        const terminal = io(answer);
        assert.equal(await confirm(terminal, 'Delete? [y/N] '), yes, answer);
        assert.equal(terminal.asked(), 'Delete? [y/N] ');
      }
    });
  });

  it('should print the version of package.json', () => {
    const pkg = JSON.parse(readFileSync(new URL('../../../../package.json', import.meta.url), 'utf8')) as { version: string };
    assert.equal(CLI_VERSION, pkg.version);
  });
});

describe('boundedLines (issue 12, item 7)', () => {
  async function linesOf(chunks: string[], max: number): Promise<InputLine[]> {
    const out: InputLine[] = [];
    for await (const line of boundedLines(Readable.from(chunks.map((c) => Buffer.from(c))), max)) out.push(line);
    return out;
  }

  it('should split on LF and CRLF across chunks, keep blank lines and a last line without a newline', async () => {
    assert.deepEqual(await linesOf(['ab', 'c\r\n\nd', 'é\ne'], 10), [{ text: 'abc' }, { text: '' }, { text: 'dé' }, { text: 'e' }]);
    assert.deepEqual(await linesOf(['x\n'], 10), [{ text: 'x' }]);
    assert.deepEqual(await linesOf([], 10), []);
  });

  it('should drop a line longer than the limit as it arrives and say how long it was', async () => {
    assert.deepEqual(await linesOf(['ok\n12345', '67890abc', 'def\nnext'], 8), [{ text: 'ok' }, { tooLong: 16 }, { text: 'next' }]);
  });
});
