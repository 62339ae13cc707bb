import type { Period } from '../domain/periods.ts';
import { defineCommand } from './command.ts';
import { periodOf } from './words.ts';

export const reconcile = defineCommand<{ period: Period }>({
  verb: 'reconcile',
  shareable: true,
  help: [{ usage: '/aicost reconcile [period]', about: 'what OpenAI and Anthropic billed vs what was observed, and the unobserved rest' }],
  parse(words, { now, timeZone }) {
    // Defaults to last month: the running month's billing is incomplete.
    const period = periodOf(words.length ? words : ['last', 'month'], '/aicost reconcile [period], e.g. /aicost reconcile 2026-10', now, timeZone);
    return 'from' in period ? { period } : period;
  },
  async run({ period }, { viewer, now, services }) {
    if (!services.reconcile) return { kind: 'not-set-up', what: 'reconcile' };
    return { kind: 'reconcile', report: await services.reconcile.report(viewer, period, now) };
  },
});
