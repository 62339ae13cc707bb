import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { configSchema } from '../../src/config.ts';

/**
 * The README keeps what a newcomer needs and links into docs/ for the reference (issue 23 item 5), so the
 * links are the documentation's structure: each must reach a file, and its #fragment a heading there.
 */
const root = normalize(join(dirname(fileURLToPath(import.meta.url)), '../..'));
const docs = ['README.md', 'ARCHITECTURE.md', 'CONTRIBUTING.md', ...readdirSync(join(root, 'docs')).map((f) => `docs/${f}`)].filter((f) => f.endsWith('.md'));
const read = (file: string) => readFileSync(join(root, file), 'utf8');
const withoutCode = (md: string) => md.replace(/```[\s\S]*?```/g, '');

/** GitHub's heading anchors: lower case, punctuation dropped, spaces to hyphens. */
const slug = (heading: string) =>
  heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N} _-]/gu, '')
    .replace(/ /g, '-');
const anchorsOf = (file: string) => new Set([...withoutCode(read(file)).matchAll(/^#+ (.*)$/gm)].map((m) => slug(m[1]!)));

describe('documentation', () => {
  it('every relative link reaches a file, and its #anchor a heading of that file', () => {
    const broken: string[] = [];
    for (const file of docs) {
      for (const [, target] of withoutCode(read(file)).matchAll(/\]\(([^)\s]+)\)/g)) {
        if (/^[a-z]+:/i.test(target!)) continue;
        const [path, fragment] = target!.split('#') as [string, string | undefined];
        const resolved = path ? normalize(join(dirname(file), path)) : file;
        if (!existsSync(join(root, resolved))) broken.push(`${file}: ${target} (no such file)`);
        else if (fragment && resolved.endsWith('.md') && !anchorsOf(resolved).has(fragment)) broken.push(`${file}: ${target} (no such heading)`);
      }
    }
    expect(broken).toEqual([]);
  });

  it('docs/configuration.md names every variable of the configuration schema', () => {
    const table = read('docs/configuration.md');
    expect(Object.keys(configSchema.shape).filter((name) => !table.includes(`\`${name}\``))).toEqual([]);
  });

  it("the README's configuration summary names only variables that exist", () => {
    const readme = read('README.md');
    const summary = /## Configuration\n([\s\S]*?)\n## /.exec(readme)?.[1] ?? '';
    const named = [...summary.matchAll(/^\| `([A-Z_]+)`/gm), ...summary.matchAll(/`([A-Z][A-Z_]{3,})`/g)].map((m) => m[1]!);
    expect(named.length).toBeGreaterThan(5);
    expect(named.filter((name) => !(name in configSchema.shape))).toEqual([]);
  });
});
