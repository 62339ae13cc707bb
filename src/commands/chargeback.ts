import { isMonth } from '../domain/calendar.ts';
import { parsePeriod } from '../domain/periods.ts';
import { defineCommand, invalid } from './command.ts';

export const chargeback = defineCommand<{ month: string | null }>({
  verb: 'chargeback',
  shareable: false,
  help: [{ usage: '/aicost chargeback [YYYY-MM]', about: 'the monthly chargeback of your teams (finance: of every team)' }],
  parse(words, { now, timeZone }) {
    if (words.length === 0) return { month: null };
    if (words.length === 1 && isMonth(words[0]!)) return { month: words[0]! };
    const p = parsePeriod(words.join(' '), now, timeZone);
    if (p.ok && p.value.month) return { month: p.value.month };
    return invalid({ code: 'command.chargeback-usage' }, ['/aicost chargeback', '/aicost chargeback 2026-10']);
  },
  async run({ month }, { viewer, now, services }) {
    if (!services.chargeback) return { kind: 'not-set-up', what: 'chargeback' };
    return { kind: 'chargeback', view: await services.chargeback.show(viewer, month, now) };
  },
});
