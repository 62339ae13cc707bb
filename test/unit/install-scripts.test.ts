import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/**
 * `npm install` on a fresh clone prints no warnings (issue 23 item 5): npm 11 lists every installed
 * dependency whose install scripts are not reviewed in package.json's `allowScripts` (maintained with
 * `npm approve-scripts`, see `npm help approve-scripts`). `--allow-scripts-pending` lists them without
 * changing anything. npm versions without the command (before allowScripts existed) print no such warning.
 */
const root = join(dirname(fileURLToPath(import.meta.url)), '../..');
const pending = spawnSync('npm', ['approve-scripts', '--allow-scripts-pending', '--json'], { cwd: root, encoding: 'utf8', timeout: 60_000 });
const supported = pending.status === 0;

const reason = supported ? '' : ` (skipped: this npm has no approve-scripts: ${(pending.stderr || pending.error?.message || '').split('\n')[0]})`;
if (!supported) console.warn(`install-scripts.test.ts${reason}`);

describe('install scripts', () => {
  it.skipIf(!supported)(`every dependency with an install script is reviewed in allowScripts${reason}`, () => {
    const listed = JSON.parse(pending.stdout) as { allowScripts: { name: string }[] };
    expect(listed.allowScripts.map((p) => p.name)).toEqual([]);
  });
});
