import { defineCommand, invalid } from './command.ts';
import type { Outcome } from './outcome.ts';
import { parseMonths } from './words.ts';
import type { MarginAnswer } from '../services/margin-service.ts';

const MARGIN_EXAMPLES = ['/aicost margin', '/aicost margin 2026-10', '/aicost margin 2026-07..2026-09'];

/** Margin answers are finance's: a refusal is said as such. */
export const marginOutcome = (r: MarginAnswer): Outcome =>
  r.kind === 'refused' ? { kind: 'refused', title: 'Finance only', failure: { code: 'margin.finance-only' } } : r;

export const margin = defineCommand<{ months: string[] }>({
  verb: 'margin',
  aliases: ['margins'],
  shareable: true,
  help: [
    {
      usage: '/aicost margin [YYYY-MM | YYYY-MM..YYYY-MM]',
      about: 'revenue, AI cost to serve and margin per customer and plan, losses first',
      finance: true,
    },
  ],
  parse(words, { now, timeZone }) {
    const m = parseMonths(words, now, timeZone);
    return Array.isArray(m) ? { months: m } : invalid(m, MARGIN_EXAMPLES);
  },
  async run({ months }, { viewer, now, services }) {
    if (!services.margin) return { kind: 'not-set-up', what: 'margin' };
    return marginOutcome(await services.margin.margin(viewer, months, now));
  },
});
