import { defineCommand } from './command.ts';

export const help = defineCommand<Record<string, never>>({
  verb: 'help',
  aliases: ['?'],
  shareable: false,
  help: [{ usage: '/aicost help', about: 'every command with examples' }],
  parse: () => ({}),
  run: async (_p, { viewer }) => ({ kind: 'help', finance: viewer.finance }),
});
