import { spawn } from 'node:child_process';
import { resolve } from 'node:path';

/** How one run of the operator CLI ended and what it printed. */
export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs the operator CLI as a user would (`npx aicost …`): bin/aicost.js, which runs the compiled build, in
 * its own process, with PATH, HOME and `env` only (no configuration inherited from the test process).
 * The build is made fresh once per test run by test/support/build-cli.ts (vitest's globalSetup), so a
 * test never runs a dist/ older than the sources.
 */
export function cli(args: string[], env: Record<string, string> = {}, options: { cwd?: string } = {}): Promise<CliRun> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [resolve('bin/aicost.js'), ...args], {
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...env },
      ...(options.cwd ? { cwd: options.cwd } : {}),
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', fail);
    child.on('close', (code) => done({ code, stdout, stderr }));
  });
}
