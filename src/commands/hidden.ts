import { parseId } from '../domain/ids.ts';
import { defineCommand, invalid } from './command.ts';

type Hidden = { action: 'list'; slug: string | null } | { action: 'edit' | 'delete'; id: number };

export const hidden = defineCommand<Hidden>({
  verb: 'hidden',
  shareable: false,
  help: [{ usage: '/aicost hidden [team|feature]', about: 'list hidden costs; hidden edit <#> / hidden delete <#>' }],
  parse(words) {
    const sub = words[0]?.toLowerCase();
    if (sub === 'delete' || sub === 'edit' || sub === 'remove') {
      const id = parseId(words[1] ?? '');
      if (id === null) return invalid({ code: 'command.hidden-needs-id', sub }, [`/aicost hidden ${sub} 12`]);
      return { action: sub === 'edit' ? 'edit' : 'delete', id };
    }
    if (words.length > 1) return invalid({ code: 'command.hidden-too-many' }, ['/aicost hidden', '/aicost hidden support']);
    return { action: 'list', slug: sub ?? null };
  },
  async run(p, { viewer, userId, now, services }) {
    if (p.action === 'list') return { kind: 'hidden-list', slug: p.slug, list: await services.hidden.list(viewer, p.slug) };
    if (p.action === 'edit') return { kind: 'modal', modal: 'edit-hidden', entryId: p.id };
    const r = await services.hidden.remove(p.id, userId, now);
    return r.ok ? { kind: 'done', title: 'Deleted', message: r.message } : { kind: 'refused', title: 'Not deleted', failure: r.failure };
  },
});
