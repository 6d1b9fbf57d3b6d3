/**
 * Aligned text tables for query results. On a terminal wide cells are cut so
 * rows stay on one line; piped output keeps every value whole.
 * @module
 */

/** Widest a cell may be on a terminal before it is cut. */
const MAX_CELL_ON_TTY = 48;

const encoder = new TextEncoder();

/** Prints `header` and `rows` as columns separated by two spaces. */
export function printTable(header: readonly string[], rows: readonly string[][]): void {
  const tty = Deno.stdout.isTerminal();
  const cut = (s: string) =>
    tty && s.length > MAX_CELL_ON_TTY ? s.slice(0, MAX_CELL_ON_TTY - 1) + "…" : s;
  const all = [header.map(cut), ...rows.map((r) => r.map(cut))];
  const widths = header.map((_, i) => Math.max(...all.map((r) => r[i].length)));
  const lines = all.map((r) => r.map((c, i) => c.padEnd(widths[i])).join("  ").trimEnd());
  lines.splice(1, 0, widths.map((w) => "-".repeat(w)).join("  "));
  Deno.stdout.writeSync(encoder.encode(lines.join("\n") + "\n"));
}
