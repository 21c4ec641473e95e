// Figures of the performance benchmark: medians, percentiles, number formatting and the final
// markdown table (figure, value, target, result).

/** One row of the final table. `pass` is null when there is no target or no value. */
export interface Figure {
  part: string;
  name: string;
  value: string;
  target: string;
  pass: boolean | null;
  /** Runs the value is the median of, or a remark ("1 run", "n/a: ..."). */
  note: string;
}

export function median(xs: readonly number[]): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** Nearest-rank percentile (p in 0..100). */
export function percentile(xs: readonly number[], p: number): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * s.length));
  return s[Math.min(s.length, rank) - 1]!;
}

/** 1234567 -> "1,234,567". */
export function int(n: number): string {
  if (!Number.isFinite(n)) return 'n/a';
  return Math.round(n)
    .toString()
    .replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

export function mb(bytes: number): string {
  if (!Number.isFinite(bytes)) return 'n/a';
  return `${(bytes / 1048576).toFixed(bytes < 10 * 1048576 ? 2 : 1)} MB`;
}

export function secs(ms: number): string {
  if (!Number.isFinite(ms)) return 'n/a';
  return ms < 10_000 ? `${(ms / 1000).toFixed(2)} s` : `${(ms / 1000).toFixed(1)} s`;
}

export function runsNote(values: readonly number[], fmt: (v: number) => string): string {
  if (values.length <= 1) return '1 run';
  return `median of ${values.length} (${values.map(fmt).join(', ')})`;
}

export function failed(part: string, name: string, target: string, reason: string): Figure {
  return { part, name, value: 'n/a', target, pass: null, note: `n/a: ${reason}` };
}

function cell(s: string): string {
  return s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

export function markdownTable(figures: readonly Figure[]): string {
  const rows = ['| # | figure | value | target | result | runs / note |', '|---|---|---|---|---|---|'];
  for (const f of figures) {
    const result = f.pass === null ? (f.target === '-' ? '-' : 'n/a') : f.pass ? 'pass' : '**FAIL**';
    rows.push(`| ${f.part} | ${cell(f.name)} | ${cell(f.value)} | ${cell(f.target)} | ${result} | ${cell(f.note)} |`);
  }
  return rows.join('\n');
}
