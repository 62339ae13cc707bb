import { z } from 'zod';
import type { Period } from '../domain/periods.ts';
import { TOP_DIMENSIONS, type TopDimension } from '../services/reports.ts';
import { defineCommand, invalid } from './command.ts';
import { periodOf } from './words.ts';

const dimension = z.enum(TOP_DIMENSIONS);

export const top = defineCommand<{ dimension: TopDimension; period: Period }>({
  verb: 'top',
  shareable: true,
  help: [{ usage: '/aicost top teams|features|models|customers [period]', about: 'who spends most (API spend)' }],
  parse([what, ...rest], { now, timeZone }) {
    const d = dimension.safeParse((what ?? '').toLowerCase().replace(/^(team|feature|model|customer)$/, '$1s'));
    if (!d.success)
      return invalid(what ? { code: 'command.top-unknown', text: what } : { code: 'command.top-missing' }, [
        '/aicost top teams',
        '/aicost top features 30d',
        '/aicost top models last month',
      ]);
    const period = periodOf(rest, `/aicost top ${d.data} last month`, now, timeZone);
    return 'from' in period ? { dimension: d.data, period } : period;
  },
  run: (p, { viewer, now, services }) => services.reports.top(viewer, p.dimension, p.period, now),
});
