import { isMonth } from '../domain/calendar.ts';
import { parseAmountInput } from '../domain/money.ts';
import type { Failure } from '../domain/result.ts';
import type { AdminAction } from '../services/admin-service.ts';
import { defineCommand } from './command.ts';

/** Slack sends mentions escaped (`<@U123|ann>`, `<#C123|ops>`); a bare id is taken too. */
const userId = (w: string) => /^<@([UW][A-Z0-9]+)(\|[^>]*)?>$/.exec(w)?.[1] ?? (/^[UW][A-Z0-9]{4,}$/.test(w) ? w : null);
const channelId = (w: string) => /^<#([CG][A-Z0-9]+)(\|[^>]*)?>$/.exec(w)?.[1] ?? (/^[CG][A-Z0-9]{4,}$/.test(w) ? w : null);
const SLUG = /^[a-z0-9][a-z0-9_.-]*$/;

const notUnderstood = (failure: Failure, names: { team?: string; feature?: string } = {}): AdminAction => ({ kind: 'not-understood', failure, ...names });

/** The words after `admin` (teams, aliases, features, adjustments, categories) → the change they ask for. */
export function parseAdmin(words: string[]): AdminAction {
  const [what, a, b, ...rest] = words;
  if (!what) return { kind: 'usage' };
  if (what === 'team') {
    if (!a) return notUnderstood({ code: 'admin.name-team' });
    const slug = a.toLowerCase();
    const field = b?.toLowerCase();
    const other = notUnderstood({ code: 'admin.not-understood', text: `team ${a} ${[b, ...rest].filter(Boolean).join(' ')}` }, { team: slug });
    if (field === 'name' && rest.length) return { kind: 'team', slug, field: 'name', set: { name: rest.join(' ').slice(0, 80) } };
    if (field === 'channel' && rest.length === 1 && channelId(rest[0]!))
      return { kind: 'team', slug, field: 'channel', set: { channelId: channelId(rest[0]!)! } };
    if ((field === 'leads' || field === 'members') && rest.length && rest.every((v) => userId(v))) {
      const ids = rest.map((v) => userId(v)!);
      return { kind: 'team', slug, field, set: field === 'leads' ? { leadUserIds: ids } : { memberUserIds: ids } };
    }
    if ((field === 'cost-center' || field === 'costcenter') && rest.length === 1) {
      // A cost centre is a short code from the ledger (it lands in every chargeback CSV row).
      const code = rest[0]!;
      if (code.length > 40 || /[\u0000-\u001f\u007f]/.test(code)) return notUnderstood({ code: 'admin.cost-center', length: code.length }, { team: slug });
      return { kind: 'team', slug, field: 'cost-center', set: { costCenter: code } };
    }
    return other;
  }
  if (what === 'alias') {
    const kind = a?.toLowerCase();
    const [alias, target] = [b?.toLowerCase(), rest[0]?.toLowerCase()];
    if ((kind !== 'team' && kind !== 'feature') || !alias || !target || !SLUG.test(alias) || !SLUG.test(target) || alias === target)
      return notUnderstood({ code: 'admin.alias-usage' });
    return { kind: 'alias', what: kind, alias, target };
  }
  if (what === 'feature') {
    if (!a) return notUnderstood({ code: 'admin.name-feature' });
    const slug = a.toLowerCase();
    if (b === 'baseline' && rest.length === 1) {
      if (/^\$?[-−]/.test(rest[0]!.trim())) return notUnderstood({ code: 'admin.baseline-negative' }, { feature: slug });
      const parsed = parseAmountInput(rest[0]!, { decimals: 4, allowZero: true });
      if (!parsed.ok) return notUnderstood(parsed.failure, { feature: slug });
      return { kind: 'feature-baseline', slug, amount: parsed.value };
    }
    if (b === 'team' && rest.length === 1) return { kind: 'feature-team', slug, team: rest[0]!.toLowerCase() };
    return notUnderstood({ code: 'admin.not-understood', text: `feature ${words.slice(1).join(' ')}` }, { feature: slug });
  }
  if (what === 'adjust') {
    if (!a) return notUnderstood({ code: 'admin.name-team' });
    const slug = a.toLowerCase();
    const parsed = parseAmountInput(b ?? '', { allowNegative: true, allowZero: true });
    if (!parsed.ok) return notUnderstood({ code: 'admin.adjust-amount', cause: parsed.failure }, { team: slug });
    const [month, ...reasonWords] = rest;
    if (!month || !isMonth(month)) return notUnderstood({ code: 'admin.adjust-month' }, { team: slug });
    if (parsed.value === 0n) return notUnderstood({ code: 'admin.adjust-zero' }, { team: slug });
    if (!reasonWords.length) return notUnderstood({ code: 'admin.adjust-reason' }, { team: slug });
    return { kind: 'adjust', slug, amount: parsed.value, month, reason: reasonWords.join(' ').slice(0, 300) };
  }
  if (what === 'category') {
    const name = a?.toLowerCase();
    if (!name || !/^[a-z][a-z0-9_]{1,40}$/.test(name)) return notUnderstood({ code: 'admin.category-name' });
    return { kind: 'category', name, label: [b, ...rest].filter(Boolean).join(' ') || name };
  }
  return notUnderstood({ code: 'admin.unknown', text: what });
}

/**
 * `/aicost admin …` (finance; re-checked by each service on every use): provider mappings, customer
 * aliases, and the rest (teams, aliases, features, categories, adjustments).
 */
export const admin = defineCommand<{ words: string[] }>({
  verb: 'admin',
  shareable: false,
  freeText: true,
  help: [
    {
      usage: '/aicost admin …',
      about: 'team names, channels, leads, cost centres; aliases; feature owners and baselines; categories; adjustments; provider mappings',
      finance: true,
    },
    {
      usage: '/aicost admin map openai project|key <id> <team>',
      about: "book an OpenAI project's or API key's bill to a team (Anthropic: admin map anthropic workspace|key <id> <team>)",
      finance: true,
    },
    { usage: '/aicost admin customer alias <alias> <customer>', about: 'count costs and revenue under another id as that customer (audited)', finance: true },
  ],
  parse: (words) => ({ words }),
  async run({ words }, { viewer, userId, now, services }) {
    const sub = words[0]?.toLowerCase();
    if (sub === 'map' && services.reconcile) {
      if (!viewer.finance) return { kind: 'refused', title: 'Admin', failure: { code: 'admin.finance-only' } };
      const r = await services.reconcile.map(words.slice(1), userId, now);
      return r.ok ? { kind: 'done', title: 'Mapped', message: r.message } : { kind: 'refused', title: 'Not mapped', failure: r.failure };
    }
    if (sub === 'customer' && services.revenue) return { kind: 'customer-alias', result: await services.revenue.alias(words.slice(1), userId, now) };
    if (!services.admin) return { kind: 'not-set-up', what: 'admin' };
    return { kind: 'admin', answer: await services.admin.run(parseAdmin(words), userId, now) };
  },
});
