import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** The newest modification time among the files the build reads. */
function newestInput(): number {
  let newest = Math.max(statSync('scripts/build.mjs').mtimeMs, statSync('package.json').mtimeMs);
  for (const path of readdirSync('src', { recursive: true, encoding: 'utf8' })) newest = Math.max(newest, statSync(join('src', path)).mtimeMs);
  return newest;
}

/**
 * vitest's globalSetup: builds dist/ (`npm run build`, about a second) when it is missing or older than
 * any source, so the tests that start bin/aicost.js run the compiled code of the sources under test,
 * never a stale build. An up-to-date build is left alone: a second test run started meanwhile does not
 * pull the files from under the first one's CLI processes.
 */
export default function buildCli(): void {
  if (existsSync('dist/cli.js') && statSync('dist/cli.js').mtimeMs >= newestInput()) return;
  const r = spawnSync(process.execPath, ['scripts/build.mjs'], { stdio: 'inherit' });
  if (r.status !== 0) throw new Error('npm run build failed: the tests that run bin/aicost.js need dist/');
}
