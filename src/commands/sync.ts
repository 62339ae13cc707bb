import { defineCommand, invalid } from './command.ts';

export const sync = defineCommand<{ start: boolean }>({
  verb: 'sync',
  shareable: false,
  help: [
    { usage: '/aicost sync', about: 'the cost sources and their last sync' },
    { usage: '/aicost sync now', about: 'start a sync', finance: true },
  ],
  parse(words) {
    if (words.length === 0) return { start: false };
    if (words.length === 1 && ['now', 'run', 'start'].includes(words[0]!.toLowerCase())) return { start: true };
    return invalid({ code: 'command.sync-usage' }, ['/aicost sync', '/aicost sync now']);
  },
  async run({ start }, { userId, now, services }) {
    if (!services.sync) return { kind: 'not-set-up', what: 'sync' };
    return { kind: 'sync-status', view: await services.sync.status(userId, start, now) };
  },
});
