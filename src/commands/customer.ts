import { defineCommand, invalid } from './command.ts';
import { marginOutcome } from './margin.ts';
import { parseMonths } from './words.ts';

export const customer = defineCommand<{ id: string; months: string[] }>({
  verb: 'customer',
  shareable: true,
  help: [{ usage: '/aicost customer <id> [months]', about: 'one customer: cost by feature and model, trend, revenue, margin', finance: true }],
  parse(words, { now, timeZone }) {
    // A customer id with spaces is quoted: customer "Globex, Inc." last month (Slack may send curly quotes).
    const quoted = /^["“”]([^"“”]{1,200})["“”]\s*(.*)$/.exec(words.join(' '));
    if (quoted) {
      const m = parseMonths(quoted[2] ? quoted[2].split(/\s+/) : [], now, timeZone);
      return Array.isArray(m) ? { id: quoted[1]!.trim(), months: m } : invalid(m, ['/aicost customer "Globex, Inc." last month']);
    }
    const id = words[0];
    if (!id) return invalid({ code: 'command.customer-missing' }, ['/aicost customer acme', '/aicost customer acme 2026-09..2026-10']);
    if (!/^[^\s<>&]{1,200}$/.test(id)) return invalid({ code: 'command.customer-bad-id', text: id }, ['/aicost customer acme']);
    const m = parseMonths(words.slice(1), now, timeZone);
    return Array.isArray(m) ? { id, months: m } : invalid(m, [`/aicost customer ${id} last month`]);
  },
  async run({ id, months }, { viewer, now, services }) {
    if (!services.margin) return { kind: 'not-set-up', what: 'margin' };
    return marginOutcome(await services.margin.customer(viewer, id, months, now));
  },
});
