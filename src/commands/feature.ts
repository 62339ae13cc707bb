import type { Period } from '../domain/periods.ts';
import { defineCommand, invalid } from './command.ts';
import { periodOf, slug } from './words.ts';

export const feature = defineCommand<{ slug: string; period: Period }>({
  verb: 'feature',
  shareable: true,
  help: [
    {
      usage: '/aicost feature <slug> [period]',
      about: 'the iceberg of one feature: API spend vs hidden costs, cost per work item, savings',
    },
  ],
  parse([name, ...rest], { now, timeZone }) {
    if (!name) return invalid({ code: 'command.feature-missing' }, ['/aicost feature ticket-triage', '/aicost feature ticket-triage last month']);
    const s = slug.safeParse(name.toLowerCase());
    if (!s.success) return invalid({ code: 'command.feature-not-slug', text: name }, ['/aicost feature ticket-triage']);
    const period = periodOf(rest, `/aicost feature ${s.data} last month`, now, timeZone);
    return 'from' in period ? { slug: s.data, period } : period;
  },
  run: (p, { viewer, now, services }) => services.iceberg.feature(viewer, p.slug, p.period, now),
});
