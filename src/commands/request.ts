import { parseAmountInput, type Money } from '../domain/money.ts';
import { defineCommand, invalid } from './command.ts';

const REQUEST_EXAMPLES = ['/aicost request 2000 launch week traffic', '/aicost request 1500 payments new fraud model'];

/** `request <amount> [team] <reason>`: `words` are the rest; the service decides whether the first is a team. */
export const request = defineCommand<{ amount: Money; words: string[] }>({
  verb: 'request',
  shareable: false,
  freeText: true,
  help: [{ usage: '/aicost request <amount> [team] <reason>', about: 'ask finance for more budget (team leads)' }],
  parse(words) {
    if (words[0] === undefined) return invalid({ code: 'command.request-missing' }, REQUEST_EXAMPLES);
    const parsed = parseAmountInput(words[0]);
    if (!parsed.ok) return invalid(parsed.failure, REQUEST_EXAMPLES);
    if (words.length < 2) return invalid({ code: 'command.request-reason' }, REQUEST_EXAMPLES);
    return { amount: parsed.value, words: words.slice(1) };
  },
  async run(p, { userId, now, services }) {
    const r = await services.budgets.request(p.amount, p.words, userId, now);
    return r.ok ? { kind: 'done', title: 'Request sent to finance', message: r.message } : { kind: 'refused', title: 'Request not sent', failure: r.failure };
  },
});
