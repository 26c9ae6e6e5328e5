/**
 * Plain-text table rendering for the CLI (no dependency: a table is a few lines of padding).
 *
 * @module
 */

/** A column: header, how to read the cell, alignment. */
export interface Column<T> {
  readonly header: string;
  readonly value: (row: T) => string;
  readonly align?: 'left' | 'right';
}

/** Renders rows as an aligned text table with a header rule. */
export function renderTable<T>(rows: readonly T[], columns: readonly Column<T>[]): string {
  const cells = rows.map((r) => columns.map((c) => c.value(r)));
  const widths = columns.map((c, j) => Math.max(c.header.length, ...cells.map((row) => row[j]!.length)));
  const pad = (s: string, j: number): string => (columns[j]!.align === 'right' ? s.padStart(widths[j]!) : s.padEnd(widths[j]!));
  const lines = [
    columns
      .map((c, j) => pad(c.header, j))
      .join('  ')
      .trimEnd(),
    widths.map((w) => '-'.repeat(w)).join('  '),
  ];
  for (const row of cells)
    lines.push(
      row
        .map((s, j) => pad(s, j))
        .join('  ')
        .trimEnd(),
    );
  return lines.join('\n');
}

/** A number with `digits` significant digits, or `-`. */
export function fmtSig(x: number | null | undefined, digits = 3): string {
  return x === null || x === undefined || !Number.isFinite(x) ? '-' : Number(x.toPrecision(digits)).toString();
}

/** A fraction as a percentage, or `-`. */
export function fmtPct(x: number | null | undefined, digits = 0): string {
  return x === null || x === undefined || !Number.isFinite(x) ? '-' : `${(x * 100).toFixed(digits)}%`;
}

/** A date as YYYY-MM-DD, or `-`. */
export function fmtDate(d: Date | null | undefined): string {
  return d ? d.toISOString().slice(0, 10) : '-';
}
