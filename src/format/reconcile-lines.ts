import { formatMoney } from '../domain/money.ts';
import type { ReconcileReport } from '../services/reconcile-service.ts';
import type { ReplyParts } from './reply-lines.ts';
import { gridTable } from './table.ts';

/** `/aicost reconcile` as text parts: billed vs observed per provider and per mapped project group. */
const cov = (p: number | null) => (p === null ? '-' : `${p.toFixed(1)}%`);

export function reconcileParts(r: ReconcileReport): ReplyParts {
  const title = `Reconciliation with provider bills · ${r.period.label}`;
  if (r.providers.length === 0) {
    return {
      title,
      summary: [
        'No provider billing data for this period yet. Set OPENAI_ADMIN_KEY and/or ANTHROPIC_ADMIN_KEY and run a sync; billing days arrive a day late.',
      ],
      tables: [],
      notes: [],
    };
  }
  const summary = [
    `Billed ${formatMoney(r.total.billed)}, observed ${formatMoney(r.total.observed)}, unobserved ${formatMoney(r.total.unobserved)}.`,
    ...r.providers.map(
      (p) =>
        `${p.provider}: billed ${formatMoney(p.billed)}, observed ${formatMoney(p.observed)}, unobserved ${formatMoney(p.unobserved)} (coverage ${cov(p.coveragePct)}, ${p.days} billing day${p.days === 1 ? '' : 's'})${p.unobserved < 0n ? ': observed above billed (credits, discounts or estimates)' : ''}`,
    ),
  ];
  // About 90 characters wide: a grid, which Slack shows as a table block instead of wrapping monospace (issue 21.7).
  const groupTable = gridTable(
    'By mapped team',
    ['provider', 'team', 'projects/workspaces', 'billed', 'observed', 'unobserved', 'coverage'],
    r.groups.map((g) => [
      g.provider,
      g.team ?? 'shared (unmapped)',
      g.scopes
        .map((s) => s || '(default)')
        .join(', ')
        .slice(0, 60),
      formatMoney(g.billed),
      formatMoney(g.observed),
      formatMoney(g.unobserved),
      cov(g.coveragePct),
    ]),
    [false, false, false, true, true, true, true],
  );
  const dayTable = gridTable(
    'Largest gaps',
    ['provider', 'day (UTC)', 'billed', 'observed', 'unobserved'],
    r.worstDays.map((d) => [d.provider, d.day, formatMoney(d.billed), formatMoney(d.observed), formatMoney(d.unobserved)]),
    [false, false, true, true, true],
  );
  return {
    title,
    summary,
    tables: [groupTable, dayTable],
    notes: [
      `Complete UTC billing days before ${r.completeBefore} only; billing data lands a day late.`,
      r.unmapped === 'allocate'
        ? 'Unobserved spend of unmapped projects and keys is allocated to the teams that call that provider, by their observed spend with it (label "unobserved (OpenAI bill)"). Map them: /aicost admin map openai project|key <id> <team>, or anthropic workspace|key <id> <team>.'
        : 'Unobserved spend of unmapped projects and keys is kept as its own unallocated line. Map them: /aicost admin map openai project|key <id> <team>, or anthropic workspace|key <id> <team>.',
    ],
  };
}
