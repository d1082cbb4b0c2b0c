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
 * Escapes what a terminal would act on: C0 control characters (escape sequences start with
 * ESC), DEL and the C1 controls, as `\n`, `\t`, `\u001b`, `\u009b`. Keys, stream names,
 * owners and errors pass through it before they are printed as text (JSON output is escaped
 * by JSON itself).
 *
 * @param text - the text
 * @returns the text, safe to print on one terminal line
 */
export function escapeControls(text: string): string {
  // eslint-disable-next-line no-control-regex -- exactly the control characters are escaped
  return text.replace(/[\u0000-\u001f\u007f-\u009f]/g, (c) => {
    const json = JSON.stringify(c).slice(1, -1);
    return json.length > 1 ? json : `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;
  });
}

/**
 * A key or a name in a text message: in double quotes, JSON-escaped, terminal controls
 * escaped too ({@link escapeControls}).
 *
 * @param text - the key or name
 * @returns the quoted text
 */
export function quoted(text: string): string {
  return escapeControls(JSON.stringify(text));
}

/**
 * Lays out rows under headings, columns separated by two spaces, numbers right-aligned. Every
 * cell is escaped ({@link escapeControls}).
 *
 * @param columns - the headings
 * @param rows - the cells, one array per row
 * @param indent - spaces before every line
 * @returns the lines, heading first, without trailing spaces
 */
export function table(columns: readonly Column[], rawRows: readonly (readonly string[])[], indent = ''): string[] {
  const rows = rawRows.map((r) => r.map(escapeControls));
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
 * ({@link escapeControls}), and an ellipsis where it was cut.
 *
 * @param value - the value
 * @param width - the most characters to show (at least 2)
 * @returns the shortened text
 */
export function shorten(value: string, width: number): string {
  const flat = escapeControls(value);
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
