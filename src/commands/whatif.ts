import type { Period } from '../domain/periods.ts';
import { defineCommand, invalid } from './command.ts';
import { periodOf, slug } from './words.ts';

const WHATIF_EXAMPLES = [
  '/aicost whatif ticket-triage gpt-4o-mini',
  '/aicost whatif ticket-triage cheapest',
  '/aicost whatif ticket-triage claude-3-5-haiku 2026-10',
];

export const whatif = defineCommand<{ feature: string; target: string; period: Period }>({
  verb: 'whatif',
  aliases: ['what-if'],
  shareable: true,
  help: [{ usage: '/aicost whatif <feature> <model|cheapest> [period]', about: "what the feature's tokens would have cost on another model" }],
  parse([feature, target, ...periodWords], { now, timeZone }) {
    if (!feature || !target) return invalid({ code: 'command.whatif-missing' }, WHATIF_EXAMPLES);
    const s = slug.safeParse(feature.toLowerCase());
    if (!s.success) return invalid({ code: 'command.feature-not-slug', text: feature }, WHATIF_EXAMPLES);
    if (!/^[A-Za-z0-9][A-Za-z0-9._:/@-]{0,127}$/.test(target)) return invalid({ code: 'command.whatif-bad-model', text: target }, WHATIF_EXAMPLES);
    // Default: last month, a whole month of calls to re-price.
    const period = periodOf(periodWords.length ? periodWords : ['last', 'month'], `/aicost whatif ${s.data} ${target} last month`, now, timeZone);
    return 'from' in period ? { feature: s.data, target: target.toLowerCase() === 'cheapest' ? 'cheapest' : target, period } : period;
  },
  async run(p, { viewer, now, services }) {
    if (!services.whatIf) return { kind: 'not-set-up', what: 'whatif' };
    return services.whatIf.whatIf(viewer, p.feature, p.target, p.period, now);
  },
});
