import { defineCommand } from './command.ts';
import type { Outcome } from './outcome.ts';

const ADD_EXAMPLE = '/aicost add 2800 vector_db monthly shared "Pinecone"';

/** `add` keeps its whole text (amounts, quoted notes); the service parses it against known teams and categories. */
export const add = defineCommand<{ text: string }>({
  verb: 'add',
  shareable: false,
  freeText: true,
  help: [
    {
      usage: '/aicost add',
      about:
        'enter a hidden cost (a form), or in one line: add <amount> <category> once [YYYY-MM-DD] | monthly [YYYY-MM] <team|feature|shared> ["note"], or add <amount> <category> per-item <feature> ["note"]',
    },
  ],
  parse: (_words, { text }) => ({ text: text.trim().replace(/^add\b\s*/i, '') }),
  async run({ text }, { userId, now, services }): Promise<Outcome> {
    if (text === '') return { kind: 'modal', modal: 'add-hidden' };
    const r = await services.hidden.addFromText(text, userId, now);
    if (r.ok)
      return {
        kind: 'done',
        title: 'Hidden cost added',
        message: r.message,
        next: 'It shows up in /aicost team, /aicost feature and the budgets from now on.',
      };
    if ('fields' in r) return { kind: 'fields-refused', title: 'Not added', fields: r.fields };
    // A refusal for rights is said as such by presentation; anything else with what to type instead.
    return { kind: 'invalid', failure: r.failure, examples: r.examples ?? [ADD_EXAMPLE] };
  },
});
