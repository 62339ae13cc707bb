import type { ReplyParts } from './reply.ts';
import type { SyncStatusView } from '../services/sync-service.ts';
import { formatDistanceStrict } from 'date-fns';
import { gridTable } from './table.ts';
import { failureText } from './failure-text.ts';

/** `/aicost sync`: each source's last success, lag, records, what was kept aside, last error. */
export function syncStatusParts(v: SyncStatusView): ReplyParts {
  const ago = (d: Date | null) => (d ? `${d.toISOString().slice(0, 16).replace('T', ' ')} UTC` : 'never');
  // About 105 characters wide: a table block (Slack draws the columns), not monospace that wraps into
  // noise at a laptop's width; the lag in words ("lag 31 days", it said "lag 44538 min").
  const table = gridTable(
    'Sync status',
    ['source', 'state', 'last success', 'data up to', 'records', 'kept aside', 'last error'],
    v.sources.map((s) => [
      s.source,
      s.configured ? 'on' : 'off (no credentials)',
      ago(s.lastSuccess),
      s.watermark ? `${ago(s.watermark)} (lag ${s.watermark >= v.now ? 'none' : formatDistanceStrict(s.watermark, v.now)})` : '-',
      s.recordsTotal.toLocaleString('en-US'),
      s.keptAside.toLocaleString('en-US'),
      s.lastError ? `${ago(s.lastErrorAt)}: ${s.lastError.slice(0, 80)}` : '-',
    ]),
  );
  const notes = v.start === null ? [] : [v.start === 'started' ? 'Sync started. Run /aicost sync again in a minute to see the result.' : failureText(v.start)];
  const billed = (s: { source: string }) => s.source === 'openai' || s.source === 'anthropic';
  const keptAside = v.sources.filter((s) => !billed(s)).reduce((a, s) => a + s.keptAside, 0);
  if (keptAside > 0) {
    notes.push(
      `${keptAside.toLocaleString('en-US')} source record(s) were kept aside as untrustworthy (negative, unreadable or implausible cost, or a date outside the window asked for) and are in no total. The operator lists them with \`npx aicost sync --rejected\`.`,
    );
  }
  const billsAside = v.sources.filter(billed).reduce((a, s) => a + s.keptAside, 0);
  if (billsAside > 0) {
    notes.push(
      `${billsAside.toLocaleString('en-US')} bill row(s) from the providers were kept aside as untrustworthy (billed for a day outside the window asked for, not in USD, an amount above the plausibility ceiling or a credit beyond it, or a second bucket for the same day) and are in no total. The operator lists them with \`npx aicost sync --rejected --source openai\` (or anthropic).`,
    );
  }
  return {
    title: 'Cost sources',
    summary: [syncHeadline(v)],
    tables: [table],
    notes: [
      ...notes,
      'Helicone needs HELICONE_API_KEY; Langfuse needs LANGFUSE_PUBLIC_KEY and LANGFUSE_SECRET_KEY; the OpenAI and Anthropic bills need OPENAI_ADMIN_KEY / ANTHROPIC_ADMIN_KEY.',
    ],
  };
}

const SOURCE_NAME: Record<SyncStatusView['sources'][number]['source'], string> = {
  helicone: 'Helicone',
  langfuse: 'Langfuse',
  openai: 'OpenAI bill',
  anthropic: 'Anthropic bill',
};

/**
 * One sentence that stands alone: it is also the notification text, which showed only "Cost sources:".
 * Names what needs attention first (a failing source), then what is on and how fresh its data is.
 */
function syncHeadline(v: SyncStatusView): string {
  const on = v.sources.filter((s) => s.configured);
  if (on.length === 0) return 'No cost source is configured yet; the last note says which variables turn each on.';
  // Failing: the last run ended in an error after the last success (or there was never a success).
  const failing = on.filter((s) => s.lastError && s.lastErrorAt && (!s.lastSuccess || s.lastErrorAt > s.lastSuccess));
  const state = failing.length ? `${failing.map((s) => SOURCE_NAME[s.source]).join(' and ')} failing` : 'none failing';
  const marks = on.map((s) => s.watermark).filter((d): d is Date => d !== null);
  const oldest = marks.length ? new Date(Math.min(...marks.map((d) => d.getTime()))) : null;
  const fresh = oldest === null ? 'no data yet' : oldest >= v.now ? 'data up to now' : `data up to ${formatDistanceStrict(oldest, v.now)} ago at the oldest`;
  return `${on.length} of ${v.sources.length} sources on, ${state}; ${fresh}.`;
}
