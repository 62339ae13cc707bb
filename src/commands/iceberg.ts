import { parsePeriod, type Period } from '../domain/periods.ts';
import { defineCommand, invalid } from './command.ts';
import { periodOf, slug } from './words.ts';

export const iceberg = defineCommand<{ slug: string | null; period: Period }>({
  verb: 'iceberg',
  shareable: true,
  help: [{ usage: '/aicost iceberg [team] [period]', about: 'API spend vs hidden and shared costs, as a chart of the true cost' }],
  parse(words, { now, timeZone }) {
    // The first word is a team unless the whole rest reads as a period.
    const whole = parsePeriod(words.join(' '), now, timeZone);
    if (whole.ok) return { slug: null, period: whole.value };
    const s = slug.safeParse((words[0] ?? '').toLowerCase());
    if (!s.success) return invalid({ code: 'command.iceberg-not-team', text: words[0] ?? '' }, ['/aicost iceberg', '/aicost iceberg support last month']);
    const period = periodOf(words.slice(1), `/aicost iceberg ${s.data} last month`, now, timeZone);
    return 'from' in period ? { slug: s.data, period } : period;
  },
  run: (p, { viewer, now, services }) => services.iceberg.team(viewer, p.slug, p.period, now),
});
