/** Aligns rows into fixed-width columns (numbers right-aligned) for Slack code blocks and the terminal. */
export function alignTable(header: string[], rows: string[][], rightAligned: boolean[] = []): string {
  const all = [header, ...rows];
  const widths = header.map((_, c) => Math.max(...all.map((r) => (r[c] ?? '').length)));
  const line = (r: string[]) =>
    r
      .map((cell, c) => (rightAligned[c] ? cell.padStart(widths[c]!) : cell.padEnd(widths[c]!)))
      .join('  ')
      .trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

export function percent(share: number): string {
  const p = share * 100;
  return `${p > 0 && p < 0.1 ? '<0.1' : p.toFixed(p >= 10 || p === 0 ? 0 : 1)}%`;
}
