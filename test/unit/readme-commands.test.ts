import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { COMMANDS } from '../../src/commands/registry.ts';

/**
 * The README's commands table is generated from the registry's help (what `/aicost help` says), so the
 * two cannot drift: a new verb, or a changed usage, fails here with the table to paste.
 */
const cell = (s: string) => s.replace(/\|/g, '\\|');

function commandsTable(): string {
  const rows = COMMANDS.flatMap((c) => c.help).map((h) => `| \`${cell(h.usage)}\` | ${h.finance ? 'finance: ' : ''}${cell(h.about).replace(/</g, '&lt;')} |`);
  return [
    '<!-- commands:start (generated from src/commands/*.ts help; test/unit/readme-commands.test.ts) -->',
    '| command | answer |',
    '|---|---|',
    ...rows,
    '<!-- commands:end -->',
  ].join('\n');
}

describe('README commands table', () => {
  it('is the registry help, verb for verb', () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    const block = /<!-- commands:start[\s\S]*?<!-- commands:end -->/.exec(readme)?.[0];
    expect(block, `README.md needs this table:\n${commandsTable()}`).toBe(commandsTable());
  });
});
