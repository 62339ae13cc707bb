import type { Period } from '../domain/periods.ts';
import { defineCommand, invalid } from './command.ts';
import { periodOf, slug } from './words.ts';

export const team = defineCommand<{ slug: string; period: Period }>({
  verb: 'team',
  shareable: true,
  help: [{ usage: '/aicost team <slug> [period]', about: 'one team’s true cost, API spend by feature and the daily chart' }],
  parse([name, ...rest], { now, timeZone }) {
    if (!name) return invalid({ code: 'command.team-missing' }, ['/aicost team payments', '/aicost team payments last month']);
    const s = slug.safeParse(name.toLowerCase());
    if (!s.success) return invalid({ code: 'command.team-not-slug', text: name, issue: s.error.issues[0]?.message ?? '' }, ['/aicost team payments']);
    const period = periodOf(rest, `/aicost team ${s.data} last month`, now, timeZone);
    return 'from' in period ? { slug: s.data, period } : period;
  },
  run: (p, { viewer, now, services }) => services.reports.team(viewer, p.slug, p.period, now),
});
