import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe } from 'vitest';

/**
 * Third-party documents (the vendors' OpenAPI documents, Slack's manifest schema, the labelled
 * anomaly series) live in the shared folder beside the repository, never in it. A test that checks
 * against one of them asks for it here:
 *
 * - present: the test runs;
 * - absent on a user's machine (a fresh clone with nothing beside it): the test is skipped, and the
 *   reason (which file, where it was looked for, how to point at it) is printed and put in the title;
 * - absent in CI (`process.env.CI` set): an error, like a missing PostgreSQL in `testProviders()`,
 *   because CI has the folder and a silent skip there would hide a broken contract check.
 *
 * The folder is `AICOST_SHARED_DIR` when set, else `../shared` relative to the repository root.
 */

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

export function sharedDir(): string {
  const fromEnv = process.env.AICOST_SHARED_DIR;
  return fromEnv ? resolve(fromEnv) : resolve(REPO_ROOT, '../shared');
}

export interface SharedDocs {
  /** Every requested file exists. */
  available: boolean;
  dir: string;
  /** Why the tests are skipped; null when available. */
  reason: string | null;
  /** Absolute path of a file in the shared folder, e.g. `specs/helicone-swagger.json`. */
  path(file: string): string;
}

/**
 * Looks for `files` (relative to the shared folder). Throws in CI when one is missing; otherwise
 * returns whether they are there, printing the skip reason once if not.
 */
export function sharedDocs(...files: string[]): SharedDocs {
  const dir = sharedDir();
  const path = (file: string) => join(dir, file);
  const missing = files.filter((f) => !existsSync(path(f)));
  if (missing.length === 0) return { available: true, dir, reason: null, path };
  const reason =
    `${missing.join(', ')} not found in the shared folder ${dir} ` +
    '(third-party documents are not copied into the repository; set AICOST_SHARED_DIR or put the folder beside the repository as ../shared)';
  if (process.env.CI) throw new Error(`CI must run the tests that check against third-party documents: ${reason}`);
  console.warn(`skipped: ${reason}`);
  return { available: false, dir, reason, path };
}

/**
 * `describe` when `docs` are available; otherwise `describe.skip` with the reason in its title, so
 * the skip says why wherever it is reported. The body still runs to collect the tests, so it must
 * not read the documents itself (read them in `beforeAll` or inside the tests).
 */
export function describeWithDocs(docs: SharedDocs): (name: string, body: () => void) => void {
  return (name, body) => {
    if (docs.available) describe(name, body);
    else describe.skip(`${name} [skipped: ${docs.reason}]`, body);
  };
}
