import { defineCommand } from './command.ts';

/** Slash commands carry no files: the CSV is shared in the finance channel, where aicost picks it up. */
export const importRevenue = defineCommand<Record<string, never>>({
  verb: 'import',
  shareable: false,
  help: [{ usage: '/aicost import', about: 'how to import revenue (share the CSV in the finance channel)', finance: true }],
  parse: () => ({}),
  run: async () => ({ kind: 'import-help' }),
});
