/**
 * Plain-text output of the CLI: aligned tables and shortened values.
 *
 * @module
 */

/** A column of {@link table}: its heading and whether it is right-aligned (numbers). */
export interface Column {
  /** The heading. */
  title: string;
  /** Right-align the cells. */
  right?: boolean;
}

/**
 * Lays out rows under headings, columns separated by two spaces, numbers right-aligned.
 *
 * @param columns - the headings
 * @param rows - the cells, one array per row
 * @param indent - spaces before every line
 * @returns the lines, heading first, without trailing spaces
 */
export function table(columns: readonly Column[], rows: readonly (readonly string[])[], indent = ''): string[] {
  const widths = columns.map((c, i) => Math.max(c.title.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]): string =>
    indent +
    columns
      .map((c, i) => {
        const cell = cells[i] ?? '';
        const width = widths[i] ?? 0;
        return c.right === true ? cell.padStart(width) : cell.padEnd(width);
      })
      .join('  ')
      .trimEnd();
  return [line(columns.map((c) => c.title)), ...rows.map(line)];
}

/**
 * Shows a value on one line of at most `width` characters: control characters escaped
 * (`\n`, `\t`, `\u0000`), and an ellipsis where it was cut.
 *
 * @param value - the value
 * @param width - the most characters to show (at least 2)
 * @returns the shortened text
 */
export function shorten(value: string, width: number): string {
  // eslint-disable-next-line no-control-regex -- exactly the control characters are escaped
  const flat = value.replace(/[\u0000-\u001f\u007f]/g, (c) => JSON.stringify(c).slice(1, -1));
  const chars = Array.from(flat); // code points: never half a surrogate pair
  return chars.length <= width ? flat : `${chars.slice(0, width - 1).join('')}…`;
}

/**
 * A priority as the CLI prints it: integers as they are, fractions with up to 6 decimals.
 *
 * @param priority - a finite number
 * @returns the text
 */
export function formatPriority(priority: number): string {
  return Number.isInteger(priority) ? String(priority) : String(Number(priority.toFixed(6)));
}

/**
 * A rate per second with one decimal, or `-` when unknown.
 *
 * @param rate - items per second, or null
 * @returns the text
 */
export function formatRate(rate: number | null): string {
  return rate === null ? '-' : rate.toFixed(1);
}
