import { defineCommand } from './command.ts';

/**
 * `/aicost admin …` (finance; re-checked by each service): provider mappings, customer aliases, and the
 * rest (teams, aliases, features, categories, adjustments).
 */
export const admin = defineCommand<{ words: string[] }>({
  verb: 'admin',
  shareable: false,
  freeText: true,
  help: [
    {
      usage: '/aicost admin …',
      about: 'team names, channels, leads, cost centres; aliases; feature owners and baselines; categories; adjustments; provider mappings',
      finance: true,
    },
    { usage: '/aicost admin customer alias <alias> <customer>', about: 'count costs and revenue under another id as that customer (audited)', finance: true },
  ],
  parse: (words) => ({ words }),
  async run({ words }, { viewer, userId, now, services }) {
    const sub = words[0]?.toLowerCase();
    if (sub === 'map' && services.reconcile) {
      if (!viewer.finance) return { kind: 'refused', title: 'Admin', failure: { code: 'admin.finance-only' } };
      const r = await services.reconcile.map(words.slice(1), userId, now);
      return r.ok ? { kind: 'done', title: 'Mapped', message: r.message } : { kind: 'refused', title: 'Not mapped', failure: r.failure };
    }
    if (sub === 'customer' && services.revenue) return { kind: 'customer-alias', result: await services.revenue.alias(words.slice(1), userId, now) };
    if (!services.admin) return { kind: 'not-set-up', what: 'admin' };
    return { kind: 'admin', answer: await services.admin.run(words, userId, now) };
  },
});
