import { spawnSync } from 'node:child_process';

/**
 * vitest's globalSetup: builds dist/ (`npm run build`, about a second) when it is missing or older than
 * any source, so the tests that start bin/aicost.js run the compiled code of the sources under test,
 * never a stale build; an up-to-date build is left alone (see `--if-stale` in scripts/build.mjs).
 */
export default function buildCli(): void {
  const r = spawnSync(process.execPath, ['scripts/build.mjs', '--if-stale'], { stdio: 'inherit' });
  if (r.status !== 0) throw new Error('npm run build failed: the tests that run bin/aicost.js need dist/');
}
