import { describe, expect, it } from 'vitest';
import { parseVerb as parseCommand } from '../../support/parse-verb.ts';

const now = new Date('2026-11-15T12:00:00Z');

describe('/aicost reconcile', () => {
  it('defaults to last month (the running month is not billed yet) and takes any period', () => {
    const d = parseCommand('reconcile', now, 'UTC');
    expect(d).toMatchObject({ verb: 'reconcile', period: { month: '2026-10' }, share: false });
    expect(parseCommand('reconcile 2026-09 share', now, 'UTC')).toMatchObject({ verb: 'reconcile', period: { month: '2026-09' }, share: true });
    expect(parseCommand('reconcile 7d', now, 'UTC')).toMatchObject({ verb: 'reconcile' });
  });
  it('explains a period it cannot read', () => {
    const r = parseCommand('reconcile someday', now, 'UTC');
    expect(r.kind).toBe('invalid');
    expect(r.kind === 'invalid' && r.examples[0]).toContain('/aicost reconcile');
  });
  it('admin map keeps its words for the reconcile service', () => {
    expect(parseCommand('admin map openai project proj_abc support', now, 'UTC')).toEqual({
      verb: 'admin',
      words: ['map', 'openai', 'project', 'proj_abc', 'support'],
      share: false,
    });
  });
});
