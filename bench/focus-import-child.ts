import { createReadStream } from 'node:fs';
import { parse } from 'csv-parse';

/**
 * The measured process of bench/focus-import.bench.ts, so its peak RSS is the import's own:
 * `parse FILE` only reads the CSV with csv-parse (the baseline); `import FILE` runs
 * `aicost import focus FILE` (the CLI itself; DATABASE_URL from the environment). Prints one JSON line
 * last, when the process exits.
 */
const [mode, file] = process.argv.slice(2) as [string, string];
const t0 = performance.now();
let rows = 0;
process.on('exit', (code) => {
  const u = process.resourceUsage();
  console.log(JSON.stringify({ ms: performance.now() - t0, cpuMs: (u.userCPUTime + u.systemCPUTime) / 1000, rows, code, maxRssMb: u.maxRSS / 1024 }));
});
if (mode === 'parse') {
  for await (const _ of createReadStream(file).pipe(parse({ columns: true, bom: true, skip_empty_lines: true }))) rows++;
} else {
  process.argv = [process.argv[0]!, 'aicost', 'import', 'focus', file];
  await import('../src/cli.ts');
}
