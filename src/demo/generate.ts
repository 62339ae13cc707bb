import { addDays } from 'date-fns';
import { fromUsd, type Money } from '../domain/money.ts';
import { seededRandom } from './prng.ts';
import { dayStart, dayKey } from '../domain/periods.ts';

/**
 * A realistic demo organisation: 5 teams, 14 features, several models and customers, 120 days of calls
 * with a weekday pattern (weekends quieter) and two spikes. Deterministic for a given `now`, so the
 * demo and the tests built on it are repeatable.
 */
export interface DemoTeam {
  slug: string;
  name: string;
  channelId: string;
  leadUserIds: string[];
  costCenter: string;
  features: { slug: string; name: string; model: string; callsPerWeekday: number; costPerCall: number }[];
}

export const DEMO_TEAMS: DemoTeam[] = [
  {
    slug: 'support',
    name: 'Support',
    channelId: 'C0SUPPORT',
    leadUserIds: ['U0SUPLEAD'],
    costCenter: 'CC-4100',
    features: [
      { slug: 'ticket-triage', name: 'Ticket triage', model: 'gpt-4o-mini', callsPerWeekday: 220, costPerCall: 0.0021 },
      { slug: 'reply-drafts', name: 'Reply drafts', model: 'gpt-4o', callsPerWeekday: 90, costPerCall: 0.019 },
      { slug: 'kb-search', name: 'Knowledge-base search', model: 'text-embedding-3-small', callsPerWeekday: 300, costPerCall: 0.00004 },
    ],
  },
  {
    slug: 'claims',
    name: 'Claims',
    channelId: 'C0CLAIMS',
    leadUserIds: ['U0CLMLEAD'],
    costCenter: 'CC-4200',
    features: [
      { slug: 'claim-intake', name: 'Claim intake', model: 'claude-3-5-sonnet', callsPerWeekday: 60, costPerCall: 0.041 },
      { slug: 'fraud-screen', name: 'Fraud screen', model: 'gpt-4o', callsPerWeekday: 45, costPerCall: 0.027 },
      { slug: 'doc-extract', name: 'Document extraction', model: 'gemini-1.5-pro', callsPerWeekday: 80, costPerCall: 0.012 },
    ],
  },
  {
    slug: 'growth',
    name: 'Growth',
    channelId: 'C0GROWTH',
    leadUserIds: ['U0GROLEAD'],
    costCenter: 'CC-5100',
    features: [
      { slug: 'email-copy', name: 'Email copy', model: 'gpt-4o-mini', callsPerWeekday: 120, costPerCall: 0.0032 },
      { slug: 'lead-scoring', name: 'Lead scoring', model: 'claude-3-haiku', callsPerWeekday: 400, costPerCall: 0.0009 },
      { slug: 'seo-briefs', name: 'SEO briefs', model: 'gpt-4o', callsPerWeekday: 15, costPerCall: 0.052 },
    ],
  },
  {
    slug: 'platform',
    name: 'Platform',
    channelId: 'C0PLATFRM',
    leadUserIds: ['U0PLTLEAD'],
    costCenter: 'CC-6100',
    features: [
      { slug: 'code-review', name: 'Code review bot', model: 'claude-3-5-sonnet', callsPerWeekday: 70, costPerCall: 0.064 },
      { slug: 'incident-summary', name: 'Incident summaries', model: 'gpt-4o', callsPerWeekday: 12, costPerCall: 0.031 },
      { slug: 'log-embeddings', name: 'Log embeddings', model: 'text-embedding-3-large', callsPerWeekday: 500, costPerCall: 0.00013 },
    ],
  },
  {
    slug: 'search',
    name: 'Search',
    channelId: 'C0SEARCH',
    leadUserIds: ['U0SRCLEAD'],
    costCenter: 'CC-6200',
    features: [
      { slug: 'query-rewrite', name: 'Query rewrite', model: 'gpt-4o-mini', callsPerWeekday: 350, costPerCall: 0.0011 },
      { slug: 'answer-synthesis', name: 'Answer synthesis', model: 'claude-3-5-sonnet', callsPerWeekday: 55, costPerCall: 0.038 },
    ],
  },
];

/** Per-call list prices above are real-world sized; this lifts the demo to a mid-size company's monthly bill (~$5k). */
const COST_SCALE = 40;

const CUSTOMERS = ['acme', 'globex', 'initech', 'umbrella', 'hooli', 'stark', 'wayne', 'wonka'];
const ENVIRONMENTS = ['production', 'production', 'production', 'staging'];

export interface DemoEntry {
  source: 'demo';
  sourceId: string;
  occurredAt: Date;
  teamSlug: string | null;
  featureSlug: string | null;
  environment: string;
  customer: string;
  workItem: string;
  model: string;
  provider: string;
  inputTokens: number;
  outputTokens: number;
  amount: Money;
}

function providerOf(model: string): string {
  if (model.startsWith('claude')) return 'anthropic';
  if (model.startsWith('gemini')) return 'google';
  return 'openai';
}

/**
 * Calls for the `days` local days up to and including today, each call priced per feature with some
 * jitter. Yields day by day so a caller can insert in batches. Calls are spread over working hours and
 * never lie after `now`. `scale` multiplies the volume (tests use a small one).
 */
export function* generateDemo(now: Date, timeZone: string, opts: { days?: number; scale?: number } = {}): Generator<DemoEntry[]> {
  const days = opts.days ?? 120;
  const scale = opts.scale ?? 0.25;
  const rand = seededRandom(20261123);
  const today = dayKey(now, timeZone);
  const first = addDays(dayStart(today, timeZone), -(days - 1));
  // Spikes: a retry loop in ticket triage 12 days ago, a big batch in doc extraction 40 days ago, and
  // one planted yesterday (a retry loop in reply drafts, 13 × the usual calls) so that the first
  // `aicost run anomalies` after `aicost demo` posts an incident.
  const spikes = new Map<string, number>([
    [`ticket-triage:${dayKey(addDays(first, days - 12), timeZone)}`, 4],
    [`doc-extract:${dayKey(addDays(first, days - 40), timeZone)}`, 3],
    [`reply-drafts:${dayKey(addDays(first, days - 2), timeZone)}`, 13],
  ]);
  for (let d = 0; d < days; d++) {
    const day = dayKey(addDays(first, d), timeZone);
    const start = dayStart(day, timeZone);
    const weekday = new Date(`${day}T12:00:00Z`).getUTCDay();
    const weekendFactor = weekday === 0 || weekday === 6 ? 0.3 : 1;
    const growth = 1 + d / days / 2; // usage grows ~50% over the window
    const batch: DemoEntry[] = [];
    for (const team of DEMO_TEAMS) {
      for (const f of team.features) {
        const n = Math.round(f.callsPerWeekday * scale * weekendFactor * growth * (0.85 + rand() * 0.3) * (spikes.get(`${f.slug}:${day}`) ?? 1));
        for (let i = 0; i < n; i++) {
          const at = new Date(start.getTime() + Math.floor((7 + rand() * 12) * 3600_000));
          if (at > now) continue;
          const cost = f.costPerCall * (0.6 + rand() * 0.8);
          const untagged = rand() < 0.04; // some calls carry no team tag: they show as unattributed
          const inputTokens = Math.round(400 + rand() * 3000);
          batch.push({
            source: 'demo',
            sourceId: `${day}:${f.slug}:${i}`,
            occurredAt: at,
            teamSlug: untagged ? null : team.slug,
            featureSlug: untagged ? null : f.slug,
            environment: ENVIRONMENTS[Math.floor(rand() * ENVIRONMENTS.length)]!,
            customer: CUSTOMERS[Math.floor(rand() * CUSTOMERS.length)]!,
            workItem: `${f.slug}-${day}-${Math.floor(i / 3)}`,
            model: f.model,
            provider: providerOf(f.model),
            inputTokens,
            outputTokens: f.model.includes('embedding') ? 0 : Math.round(inputTokens / 4),
            amount: fromUsd((cost * COST_SCALE).toFixed(7)),
          });
        }
      }
    }
    yield batch;
  }
}
