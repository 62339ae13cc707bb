import { defineCommand } from './command.ts';
import { periodOf } from './words.ts';
import type { Period } from '../domain/periods.ts';

/** `/aicost [period]`: in a team's channel that team, else the viewer's teams, else the organisation. */
export const overview = defineCommand<{ period: Period }>({
  verb: '',
  shareable: true,
  help: [{ usage: '/aicost', about: 'your team’s month to date (in a team channel: that team)' }],
  parse(words, { now, timeZone }) {
    const period = periodOf(words, '/aicost', now, timeZone);
    return 'from' in period ? { period } : period;
  },
  run: ({ period }, { viewer, channelId, now, services }) => services.reports.overview(viewer, channelId, period, now),
});
