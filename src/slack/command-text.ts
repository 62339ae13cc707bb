import { z } from 'zod';
import { parsePeriod, PERIOD_EXAMPLES, type Period } from '../domain/periods.ts';

/**
 * Parses the text after `/aicost` into a command. Pure: `now` and the time zone are parameters.
 * Anything not understood becomes `{ kind: 'invalid' }` with what was wrong and what to type instead.
 */
export const TOP_DIMENSIONS = ['teams', 'features', 'models', 'customers'] as const;
export type TopDimension = (typeof TOP_DIMENSIONS)[number];

export type Command =
  | { kind: 'overview'; period: Period; share: boolean }
  | { kind: 'team'; slug: string; period: Period; share: boolean }
  | { kind: 'top'; dimension: TopDimension; period: Period; share: boolean }
  | { kind: 'help' }
  | { kind: 'invalid'; problem: string; examples: string[] };

const topDimension = z.enum(TOP_DIMENSIONS);
const slug = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[a-z0-9][a-z0-9_.-]*$/, 'a team is named by its slug: lowercase letters, digits, "-", "_" or "."');

export const HELP_EXAMPLES = [
  '/aicost',
  '/aicost team payments',
  '/aicost team payments last month',
  '/aicost top features 30d',
  '/aicost top teams 2026-10',
  '/aicost top models 2026-10-01..2026-10-15',
];

const SHARE_WORDS = new Set(['share', 'public']);

function invalid(problem: string, examples: string[] = HELP_EXAMPLES): Command {
  return { kind: 'invalid', problem, examples };
}

export function parseCommand(text: string, now: Date, timeZone: string): Command {
  const words = text.trim().split(/\s+/).filter(Boolean);
  const share = words.length > 0 && SHARE_WORDS.has(words[words.length - 1]!.toLowerCase());
  if (share) words.pop();
  const [head, ...rest] = words;
  const verb = head?.toLowerCase();

  /** The period words, or the invalid-command answer explaining them. */
  const period = (tokens: string[], usage: string): Period | Command => {
    const r = parsePeriod(tokens.join(' '), now, timeZone);
    if (r.ok) return r.period;
    return invalid(`${r.error} Periods: ${PERIOD_EXAMPLES.map((p) => `\`${p}\``).join(', ')}.`, [usage]);
  };
  const isPeriod = (p: Period | Command): p is Period => 'from' in p;

  if (verb === undefined) {
    const p = period([], '/aicost');
    return !isPeriod(p) ? p : { kind: 'overview', period: p, share };
  }
  if (verb === 'help' || verb === '?') return { kind: 'help' };

  if (verb === 'team') {
    const s = slug.safeParse((rest[0] ?? '').toLowerCase());
    if (!rest[0]) return invalid('`team` needs a team name.', ['/aicost team payments', '/aicost team payments last month']);
    if (!s.success) return invalid(`"${rest[0]}" is not a team name: ${s.error.issues[0]?.message}.`, ['/aicost team payments']);
    const p = period(rest.slice(1), `/aicost team ${s.data} last month`);
    return !isPeriod(p) ? p : { kind: 'team', slug: s.data, period: p, share };
  }

  if (verb === 'top') {
    const d = topDimension.safeParse((rest[0] ?? '').toLowerCase().replace(/^(team|feature|model|customer)$/, '$1s'));
    if (!d.success) {
      return invalid(
        rest[0] ? `"${rest[0]}" is not something I can rank. Choose teams, features, models or customers.` : '`top` needs what to rank: teams, features, models or customers.',
        ['/aicost top teams', '/aicost top features 30d', '/aicost top models last month'],
      );
    }
    const p = period(rest.slice(1), `/aicost top ${d.data} last month`);
    return !isPeriod(p) ? p : { kind: 'top', dimension: d.data, period: p, share };
  }

  // `/aicost last month` or `/aicost 2026-10`: the overview for a period.
  const asPeriod = parsePeriod(words.join(' '), now, timeZone);
  if (asPeriod.ok) return { kind: 'overview', period: asPeriod.period, share };
  return invalid(`I did not understand "${text.trim()}".`);
}
