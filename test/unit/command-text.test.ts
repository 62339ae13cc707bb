import { describe, expect, it } from 'vitest';
import { parseVerb as parseCommand } from '../support/parse-verb.ts';
import { failureText } from '../../src/format/failure-text.ts';

const now = new Date('2026-11-23T10:00:00Z');
const parse = (t: string) => parseCommand(t, now, 'UTC');

describe('/aicost command text', () => {
  it('reads the documented commands', () => {
    expect(parse('')).toMatchObject({ verb: '', share: false, period: { month: '2026-11' } });
    expect(parse('help')).toEqual({ verb: 'help', share: false });
    expect(parse('team Payments last month')).toMatchObject({ verb: 'team', slug: 'payments', period: { month: '2026-10' } });
    expect(parse('top features 30d')).toMatchObject({ verb: 'top', dimension: 'features', period: { label: 'last 30 days' } });
    expect(parse('top model 2026-10')).toMatchObject({ verb: 'top', dimension: 'models', period: { month: '2026-10' } });
    expect(parse('  top   teams   ')).toMatchObject({ verb: 'top', dimension: 'teams' });
    expect(parse('last month')).toMatchObject({ verb: '', period: { month: '2026-10' } });
    expect(parse('team support share')).toMatchObject({ verb: 'team', share: true });
  });

  it('explains what was wrong and gives examples', () => {
    const cases: [string, RegExp][] = [
      ['team', /needs a team name/],
      ['top', /needs what to rank/],
      ['top planets', /not something I can rank/],
      ['team payments someday', /not a period I understand/],
      ['team payments 2026-13', /not a period/],
      ['frobnicate', /"frobnicate" is neither a command nor a period/],
      ['tema support', /Did you mean `team`/],
      ['team <script>', /not a team name/],
    ];
    for (const [text, problem] of cases) {
      const c = parse(text);
      expect(c.kind, text).toBe('invalid');
      if (c.kind === 'invalid') {
        expect(failureText(c.failure), text).toMatch(problem);
        expect(c.examples.length, text).toBeGreaterThan(0);
      }
    }
  });
});
