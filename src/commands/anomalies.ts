import { defineCommand, invalid } from './command.ts';

export const anomalies = defineCommand<{ slug: string | null }>({
  verb: 'anomalies',
  aliases: ['anomaly'],
  shareable: false,
  help: [{ usage: '/aicost anomalies [team]', about: 'recent spend anomalies and their feedback' }],
  parse(words) {
    if (words.length > 1) return invalid({ code: 'command.anomalies-too-many' }, ['/aicost anomalies', '/aicost anomalies support']);
    return { slug: words[0]?.toLowerCase() ?? null };
  },
  async run({ slug }, { viewer, now, services }) {
    if (!services.anomalies) return { kind: 'not-set-up', what: 'anomalies' };
    const list = await services.anomalies.list(viewer, slug, now);
    return 'kind' in list ? list : { kind: 'anomaly-list', list };
  },
});
