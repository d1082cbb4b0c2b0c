/**
 * Redis stream ids (`<ms>-<seq>`): order and time.
 *
 * @module
 */

/** Compares two stream ids: negative, zero or positive. */
export function compareIds(a: string, b: string): number {
  const [am = '0', as = '0'] = a.split('-');
  const [bm = '0', bs = '0'] = b.split('-');
  return Number(am) - Number(bm) || Number(as) - Number(bs);
}

/** The milliseconds part of a stream id (when the entry was appended, server clock). */
export function idTime(id: string): number {
  return Number(id.slice(0, id.indexOf('-')));
}
