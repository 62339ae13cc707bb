import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * `npm run bench`: runs every bench/*.bench.ts and bench/anomaly-quality.ts in its own process (so one
 * figure's memory does not colour the next) and passes through their JSON lines.
 * `npm run bench -- latency` runs only the files whose name contains "latency".
 */
const here = dirname(fileURLToPath(import.meta.url));
const filter = process.argv[2];
const files = readdirSync(here)
  .filter((f) => f.endsWith('.bench.ts') || f === 'anomaly-quality.ts')
  .filter((f) => !filter || f.includes(filter))
  .sort();
let failed = 0;
for (const f of files) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--expose-gc', join(here, f)], { stdio: ['ignore', 'inherit', 'inherit'] });
  if (r.status !== 0) {
    failed++;
    console.log(JSON.stringify({ bench: f, error: `exited with ${r.status}` }));
  }
}
process.exitCode = failed ? 1 : 0;
