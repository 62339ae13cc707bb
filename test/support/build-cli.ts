import { spawnSync } from 'node:child_process';

/**
 * vitest's globalSetup: builds dist/ (`npm run build`, about a second) before any test runs, so the tests
 * that start bin/aicost.js run the compiled code of the sources under test, never a stale build.
 */
export default function buildCli(): void {
  const r = spawnSync(process.execPath, ['scripts/build.mjs'], { stdio: 'inherit' });
  if (r.status !== 0) throw new Error('npm run build failed: the tests that run bin/aicost.js need dist/');
}
