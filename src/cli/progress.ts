/**
 * The progress bar of `good-redis import`: one line on a terminal, redrawn in place.
 *
 * @module
 */
import type { Output } from './cli-support.js';
import { formatDuration } from './cli-support.js';

/** How often the bar is redrawn at most, in ms. */
const REDRAW_MS = 100;

/** Where the work stands. */
export interface ProgressState {
  /** Bytes read so far. */
  bytes: number;
  /** Lines read so far. */
  lines: number;
  /** Items written so far (added or refused). */
  items: number;
}

/**
 * A progress bar on a terminal: `[#######·········]  45%  45000 lines  38000 items/s  ETA 2s`.
 * With an unknown total (standard input) it shows the counts without the bar. It draws only
 * when `out` is a terminal, so piped and logged runs get no control characters.
 */
export class ProgressBar {
  private readonly out: Output;
  private readonly totalBytes: number | undefined;
  private readonly started: number;
  private readonly now: () => number;
  private lastDraw = Number.NEGATIVE_INFINITY;
  private drawn = false;

  /**
   * @param out - the stream to draw on (stderr)
   * @param totalBytes - the input's size, when known
   * @param now - the clock, in ms (tests pass their own)
   */
  public constructor(out: Output, totalBytes: number | undefined, now: () => number = () => performance.now()) {
    this.out = out;
    this.totalBytes = totalBytes;
    this.now = now;
    this.started = now();
  }

  /** Whether the bar draws at all (on a terminal only). */
  public get enabled(): boolean {
    return this.out.isTTY === true;
  }

  /**
   * Redraws the bar, at most every 100 ms.
   *
   * @param state - where the work stands
   */
  public update(state: ProgressState): void {
    if (!this.enabled) return;
    const now = this.now();
    if (now - this.lastDraw < REDRAW_MS) return;
    this.lastDraw = now;
    this.out.write(`\r${this.render(state, now)}\x1b[K`);
    this.drawn = true;
  }

  /** Clears the bar's line, so the summary starts on a clean line. */
  public finish(): void {
    if (this.drawn) this.out.write('\r\x1b[K');
    this.drawn = false;
  }

  /**
   * The bar's text for a state.
   *
   * @param state - where the work stands
   * @param now - the clock reading to compute rates with
   * @returns one line, without control characters
   */
  public render(state: ProgressState, now: number): string {
    const elapsedMs = Math.max(1, now - this.started);
    const rate = Math.round((state.items * 1000) / elapsedMs);
    const counts = `${String(state.lines)} lines  ${String(rate)} items/s`;
    if (this.totalBytes === undefined || this.totalBytes === 0) return counts;
    const fraction = Math.min(1, state.bytes / this.totalBytes);
    const width = 24;
    const filled = Math.round(fraction * width);
    const bar = `[${'#'.repeat(filled)}${'·'.repeat(width - filled)}]`;
    const percent = `${String(Math.floor(fraction * 100)).padStart(3)}%`;
    const eta = fraction > 0 && fraction < 1 ? `  ETA ${formatDuration((elapsedMs * (1 - fraction)) / fraction)}` : '';
    return `${bar} ${percent}  ${counts}${eta}`;
  }
}
