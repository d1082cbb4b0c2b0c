/**
 * Redis stream ids (`<ms>-<seq>`): order and time.
 *
 * @module
 */

/** Compares two whole numbers written in decimal without leading zeros: by length, then digit by digit. */
function compareDecimal(a: string, b: string): number {
  return a.length - b.length || (a < b ? -1 : a > b ? 1 : 0);
}

/** Compares two stream ids: negative, zero or positive (exact for any sequence number; no allocation). */
export function compareIds(a: string, b: string): number {
  if (a === b) return 0;
  const ia = a.indexOf('-');
  const ib = b.indexOf('-');
  return compareDecimal(a.slice(0, ia), b.slice(0, ib)) || compareDecimal(a.slice(ia + 1), b.slice(ib + 1));
}

/** The milliseconds part of a stream id (when the entry was appended, server clock). */
export function idTime(id: string): number {
  return Number(id.slice(0, id.indexOf('-')));
}
