/**
 * `good-redis import`: items from JSON lines or CSV into a stream, in atomic batches. A bad
 * line is reported with its number and skipped; it never stops the import and never writes
 * part of an item.
 *
 * @module
 */
import type { Readable } from 'node:stream';
import type { PrioritizedStream } from '../prioritized/prioritized-stream.js';
import type { AddMode } from '../prioritized/types.js';
import { CliError, usage } from './cli-support.js';
import type { ProgressBar } from './progress.js';

/** The formats `import` reads. */
export type ImportFormat = 'jsonl' | 'csv';

/** The formats, for `--format`. */
export const IMPORT_FORMATS: readonly ImportFormat[] = ['jsonl', 'csv'];

/** One parsed line: an item, a reason it is bad, or `null` for a line to skip (blank, CSV header). */
export type ParsedLine = { key: string; value: string; priority: number } | { error: string } | null;

/** A line that was not imported. */
export interface BadLine {
  /** Its number, from 1. */
  line: number;
  /** Why. */
  reason: string;
}

/** What an import did. */
export interface ImportSummary {
  /** The stream. */
  stream: string;
  /** The format read. */
  format: ImportFormat;
  /** Lines read, blank ones included. */
  lines: number;
  /** Items whose key was new to the stream. */
  added: number;
  /** Items whose key was queued already: the value was replaced and the priority merged by the add mode (summed by default). */
  merged: number;
  /** Items refused, by reason. */
  rejected: { gated: number; cooling: number; inFlight: number; dead: number };
  /** Lines that were not items, with their numbers. */
  badLines: BadLine[];
  /** How long it took, in ms. */
  durationMs: number;
  /** Items (added or refused) per second. */
  itemsPerSecond: number;
}

/**
 * Picks the format: `--format` when given, else from the file name (`.jsonl`, `.ndjson`,
 * `.json` or `.csv`).
 *
 * @param file - the file name, or `-` for standard input
 * @param given - the `--format` option
 * @returns the format
 * @throws {@link CliError} (usage) when it cannot tell
 */
export function formatOf(file: string, given: string | undefined): ImportFormat {
  if (given !== undefined) {
    if ((IMPORT_FORMATS as readonly string[]).includes(given)) return given as ImportFormat;
    throw usage(`--format must be one of ${IMPORT_FORMATS.join(', ')}, got ${JSON.stringify(given)}`);
  }
  if (/\.(jsonl|ndjson|json)$/i.test(file)) return 'jsonl';
  if (/\.csv$/i.test(file)) return 'csv';
  throw usage(`cannot tell the format of ${JSON.stringify(file)}: name it .jsonl or .csv, or pass --format jsonl|csv`);
}

/**
 * How values are stored: `string` as they are (a JSON line's non-string value as its JSON
 * text), `json` as JSON text that a `jsonCodec` reader decodes (a JSON line's value whatever
 * its type; a CSV value or an `add` argument must be valid JSON).
 */
export const VALUE_CODECS = ['string', 'json'] as const;

/** One of {@link VALUE_CODECS}. */
export type ValueCodec = (typeof VALUE_CODECS)[number];

/**
 * Turns a value given as text (a CSV field, an `add` argument) into what is stored.
 *
 * @param text - the value as given
 * @param codec - how values are stored
 * @returns the stored text, or an error for text that is not JSON under `json`
 */
export function storedValue(text: string, codec: ValueCodec): string | { error: string } {
  if (codec === 'string') return text;
  try {
    return JSON.stringify(JSON.parse(text));
  } catch {
    return { error: `the value is not valid JSON (--codec json): ${JSON.stringify(text.length > 40 ? `${text.slice(0, 40)}…` : text)}` };
  }
}

/**
 * Reads one JSON line: `{"key": "…", "value": …, "priority": 5}`. With the `string` codec a
 * string value is stored as it is and any other JSON value as its JSON text; with `json` every
 * value is stored as its JSON text. `priority` defaults to 1; other fields are ignored.
 *
 * @param line - the line
 * @param codec - how values are stored
 * @returns the item, why it is bad, or `null` for a blank line
 */
export function parseJsonLine(line: string, codec: ValueCodec = 'string'): ParsedLine {
  if (line.trim() === '') return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch {
    return { error: 'not valid JSON' };
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return { error: 'not a JSON object' };
  const { key, value, priority = 1 } = parsed as { key?: unknown; value?: unknown; priority?: unknown };
  if (typeof key !== 'string' || key === '') return { error: 'key must be a non-empty string' };
  if (value === undefined) return { error: 'value is missing' };
  if (typeof priority !== 'number' || !Number.isFinite(priority)) return { error: 'priority must be a finite number' };
  return { key, value: typeof value === 'string' && codec === 'string' ? value : JSON.stringify(value), priority };
}

/**
 * Reads one CSV line, `key,value[,priority]`, with RFC 4180 quoting (`"a, b"`, `""` for a
 * quote) within the line. `priority` defaults to 1. With the `json` codec the value must be
 * valid JSON.
 *
 * @param line - the line
 * @param codec - how values are stored
 * @returns the item, why it is bad, or `null` for a blank line
 */
export function parseCsvLine(line: string, codec: ValueCodec = 'string'): ParsedLine {
  if (line.trim() === '') return null;
  const fields = splitCsv(line);
  if (typeof fields === 'string') return { error: fields };
  if (fields.length < 2 || fields.length > 3) return { error: `expected key,value[,priority], got ${String(fields.length)} field(s)` };
  const [key = '', value = '', rawPriority = ''] = fields;
  if (key === '') return { error: 'key must be a non-empty string' };
  const priority = rawPriority.trim() === '' ? 1 : Number(rawPriority);
  if (!Number.isFinite(priority)) return { error: `priority must be a finite number, got ${JSON.stringify(rawPriority)}` };
  const stored = storedValue(value, codec);
  return typeof stored === 'string' ? { key, value: stored, priority } : stored;
}

/** How many double quotes a line holds: an odd count leaves a CSV quoted field open. */
function quoteCount(line: string): number {
  let count = 0;
  for (const c of line) if (c === '"') count += 1;
  return count;
}

/** Whether a CSV line is the optional header `key,value[,priority]`. */
function isCsvHeader(line: string): boolean {
  return /^\s*key\s*,\s*value\s*(,\s*priority\s*)?$/i.test(line);
}

function splitCsv(line: string): string[] | string {
  const fields: string[] = [];
  let i = 0;
  for (;;) {
    if (line[i] === '"') {
      let field = '';
      let j = i + 1;
      for (;;) {
        const quote = line.indexOf('"', j);
        if (quote < 0) return 'unterminated quoted field';
        field += line.slice(j, quote);
        if (line[quote + 1] === '"') {
          field += '"';
          j = quote + 2;
        } else {
          i = quote + 1;
          break;
        }
      }
      fields.push(field);
      if (i === line.length) return fields;
      if (line[i] !== ',') return 'text after a closing quote';
      i += 1;
    } else {
      const comma = line.indexOf(',', i);
      if (comma < 0) {
        fields.push(line.slice(i));
        return fields;
      }
      fields.push(line.slice(i, comma));
      i = comma + 1;
    }
  }
}

/** Options of {@link importLines}. */
export interface ImportOptions {
  /** The format of the input. */
  format: ImportFormat;
  /** Items per atomic script. */
  batchSize: number;
  /** Clear gating and cooldowns first. */
  readd: boolean;
  /** What happens to the priority of a queued key. */
  mode: AddMode;
  /** How values are stored. */
  codec: ValueCodec;
  /**
   * The longest line read, in bytes; a longer one is a bad line, skipped without being held
   * in memory whole.
   *
   * @defaultValue {@link DEFAULT_MAX_LINE_BYTES}
   */
  maxLineBytes?: number | undefined;
  /** Where to draw progress, if anywhere. */
  progress?: ProgressBar | undefined;
  /** Bytes of the input read so far, for the progress bar. */
  bytesRead?: () => number;
}

/** The longest line an import reads by default: 32 MiB (twice the largest value a stream takes, for JSON escaping). */
export const DEFAULT_MAX_LINE_BYTES = 32 * 1024 * 1024;

/** A line of the input, or the length of one that was too long (its text is not kept). */
export type InputLine = { text: string } | { tooLong: number };

/**
 * Splits `input` into lines (`\n` or `\r\n`), holding at most `maxBytes` of a line: the
 * bytes of a longer one are dropped as they arrive, and it comes out as `{ tooLong }`.
 *
 * @param input - the bytes to read
 * @param maxBytes - the longest line kept
 * @returns the lines, in order
 */
export async function* boundedLines(input: AsyncIterable<Buffer | string>, maxBytes: number): AsyncGenerator<InputLine, void, undefined> {
  let parts: Buffer[] = [];
  let held = 0;
  let dropped = -1; // bytes of the current line once it is too long; -1 while it is not
  const end = (): InputLine => {
    const line: InputLine = dropped >= 0 ? { tooLong: dropped } : { text: Buffer.concat(parts).toString('utf8').replace(/\r$/, '') };
    parts = [];
    held = 0;
    dropped = -1;
    return line;
  };
  for await (const chunk of input) {
    let bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    for (let newline = bytes.indexOf(10); ; newline = bytes.indexOf(10)) {
      const piece = newline < 0 ? bytes : bytes.subarray(0, newline);
      if (dropped >= 0) dropped += piece.length;
      else if (held + piece.length > maxBytes) {
        dropped = held + piece.length;
        parts = [];
        held = 0;
      } else if (piece.length > 0) {
        parts.push(piece);
        held += piece.length;
      }
      if (newline < 0) break;
      yield end();
      bytes = bytes.subarray(newline + 1);
    }
  }
  if (held > 0 || dropped >= 0) yield end();
}

/** Batches written at once: the input is read while they run. */
const BATCHES_IN_FLIGHT = 4;

/**
 * Imports every line of `input` into `stream`, in batches of `batchSize` items (one atomic
 * script each, in input order), with up to 4 batches in flight.
 *
 * @param stream - the target stream
 * @param input - the lines
 * @param options - format, batch size, add options, progress
 * @returns what was done
 * @throws {@link CliError} when a batch fails (Redis down): the message says how far it got
 */
export async function importLines(stream: PrioritizedStream, input: Readable, options: ImportOptions): Promise<ImportSummary> {
  const started = performance.now();
  const summary: ImportSummary = {
    stream: stream.name,
    format: options.format,
    lines: 0,
    added: 0,
    merged: 0,
    rejected: { gated: 0, cooling: 0, inFlight: 0, dead: 0 },
    badLines: [],
    durationMs: 0,
    itemsPerSecond: 0,
  };
  const parseLine = options.format === 'csv' ? parseCsvLine : parseJsonLine;
  const parse = (line: string): ParsedLine => parseLine(line, options.codec);
  const inFlight: Promise<void>[] = [];
  let items: [string, string, number][] = [];
  let firstLine = true;
  let written = 0;
  const addOptions = { readd: options.readd, mode: options.mode };

  const flush = async (): Promise<void> => {
    if (items.length === 0) return;
    const batch = items;
    items = [];
    const done = stream.addManyDetailed(batch, addOptions).then((outcomes) => {
      for (const outcome of outcomes) {
        if (!outcome.added) summary.rejected[outcome.reason] += 1;
        else if (outcome.merged) summary.merged += 1;
        else summary.added += 1;
      }
      written += batch.length;
    });
    // Handled where it is awaited; this only keeps a failure behind another from being "unhandled".
    done.catch(() => undefined);
    inFlight.push(done);
    if (inFlight.length >= BATCHES_IN_FLIGHT) await inFlight.shift();
  };

  const maxLineBytes = options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES;
  const lines = boundedLines(input as AsyncIterable<Buffer | string>, maxLineBytes);
  /** The line a CSV quoted field was left open on: the lines after it, up to the one that closes it, are its continuation. */
  let openQuote: number | undefined;
  try {
    for await (const read of lines) {
      summary.lines += 1;
      if ('tooLong' in read) {
        summary.badLines.push({ line: summary.lines, reason: `line of ${String(read.tooLong)} bytes is longer than ${String(maxLineBytes)}` });
        options.progress?.update({ bytes: options.bytesRead?.() ?? 0, lines: summary.lines, items: written });
        continue;
      }
      const raw = read.text;
      // A byte-order mark (as some editors write) is not part of the first line's text.
      const line = summary.lines === 1 && raw.startsWith('\uFEFF') ? raw.slice(1) : raw;
      if (openQuote !== undefined) {
        // Quoted fields spanning lines are not supported: the rest of the field is no item.
        summary.badLines.push({
          line: summary.lines,
          reason: `continuation of the quoted field opened on line ${String(openQuote)} (fields spanning lines are not supported)`,
        });
        if (quoteCount(line) % 2 === 1) openQuote = undefined;
        continue;
      }
      if (firstLine && line.trim() !== '') {
        firstLine = false;
        if (options.format === 'csv' && isCsvHeader(line)) continue;
      }
      const parsed = parse(line);
      if (options.format === 'csv' && parsed !== null && 'error' in parsed && quoteCount(line) % 2 === 1) openQuote = summary.lines;
      if (parsed === null) continue;
      if ('error' in parsed) summary.badLines.push({ line: summary.lines, reason: parsed.error });
      else items.push([parsed.key, parsed.value, parsed.priority]);
      if (items.length >= options.batchSize) await flush();
      options.progress?.update({ bytes: options.bytesRead?.() ?? 0, lines: summary.lines, items: written });
    }
    await flush();
    await Promise.all(inFlight);
  } catch (err) {
    await Promise.allSettled(inFlight);
    options.progress?.finish();
    const reason = err instanceof Error ? err.message : String(err);
    throw new CliError(`import stopped after line ${String(summary.lines)} with ${String(summary.added)} item(s) added: ${reason}`, 1, { cause: err });
  }
  options.progress?.finish();
  summary.durationMs = Math.round(performance.now() - started);
  summary.itemsPerSecond = Math.round((written * 1000) / Math.max(1, summary.durationMs));
  return summary;
}
