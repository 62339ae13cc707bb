import { addDays } from 'date-fns';
import type { Money } from '../domain/money.ts';
import type { PriceTable } from '../services/price-table.ts';
import { genaiPriceTable } from '../sources/price-table.ts';
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
  /**
   * Each feature's calls per weekday (at scale 1) and its mean input and output tokens per call; a call
   * costs the list price of its tokens (see `generateDemo`). `callsPerItem`: calls per work item (3 unless said).
   */
  features: { slug: string; name: string; model: string; callsPerWeekday: number; inputTokens: number; outputTokens: number; callsPerItem?: number }[];
}

export const DEMO_TEAMS: DemoTeam[] = [
  {
    slug: 'support',
    name: 'Support',
    channelId: 'C0SUPPORT',
    leadUserIds: ['U0SUPLEAD'],
    costCenter: 'CC-4100',
    features: [
      { slug: 'ticket-triage', name: 'Ticket triage', model: 'gpt-4o-mini', callsPerWeekday: 240, inputTokens: 3000, outputTokens: 200 },
      { slug: 'reply-drafts', name: 'Reply drafts', model: 'gpt-4o', callsPerWeekday: 550, inputTokens: 40000, outputTokens: 2500 },
      { slug: 'kb-search', name: 'Knowledge-base search', model: 'text-embedding-3-small', callsPerWeekday: 300, inputTokens: 1500, outputTokens: 0 },
    ],
  },
  {
    slug: 'claims',
    name: 'Claims',
    channelId: 'C0CLAIMS',
    leadUserIds: ['U0CLMLEAD'],
    costCenter: 'CC-4200',
    features: [
      { slug: 'claim-intake', name: 'Claim intake', model: 'claude-3-5-sonnet', callsPerWeekday: 160, inputTokens: 90000, outputTokens: 3000, callsPerItem: 8 },
      { slug: 'fraud-screen', name: 'Fraud screen', model: 'gpt-4o', callsPerWeekday: 200, inputTokens: 40000, outputTokens: 1200 },
      { slug: 'doc-extract', name: 'Document extraction', model: 'gemini-1.5-pro', callsPerWeekday: 180, inputTokens: 80000, outputTokens: 4000 },
    ],
  },
  {
    slug: 'growth',
    name: 'Growth',
    channelId: 'C0GROWTH',
    leadUserIds: ['U0GROLEAD'],
    costCenter: 'CC-5100',
    features: [
      { slug: 'email-copy', name: 'Email copy', model: 'gpt-4o-mini', callsPerWeekday: 150, inputTokens: 6000, outputTokens: 1200 },
      { slug: 'lead-scoring', name: 'Lead scoring', model: 'claude-3-haiku', callsPerWeekday: 400, inputTokens: 8000, outputTokens: 300 },
      { slug: 'seo-briefs', name: 'SEO briefs', model: 'gpt-4o', callsPerWeekday: 60, inputTokens: 60000, outputTokens: 4000 },
    ],
  },
  {
    slug: 'platform',
    name: 'Platform',
    channelId: 'C0PLATFRM',
    leadUserIds: ['U0PLTLEAD'],
    costCenter: 'CC-6100',
    features: [
      { slug: 'code-review', name: 'Code review bot', model: 'claude-3-5-sonnet', callsPerWeekday: 220, inputTokens: 120000, outputTokens: 4000 },
      { slug: 'incident-summary', name: 'Incident summaries', model: 'gpt-4o', callsPerWeekday: 30, inputTokens: 80000, outputTokens: 1500 },
      { slug: 'log-embeddings', name: 'Log embeddings', model: 'text-embedding-3-large', callsPerWeekday: 500, inputTokens: 6000, outputTokens: 0 },
    ],
  },
  {
    slug: 'search',
    name: 'Search',
    channelId: 'C0SEARCH',
    leadUserIds: ['U0SRCLEAD'],
    costCenter: 'CC-6200',
    features: [
      { slug: 'query-rewrite', name: 'Query rewrite', model: 'gpt-4o-mini', callsPerWeekday: 350, inputTokens: 1500, outputTokens: 150 },
      { slug: 'answer-synthesis', name: 'Answer synthesis', model: 'claude-3-5-sonnet', callsPerWeekday: 220, inputTokens: 50000, outputTokens: 1500 },
    ],
  },
];

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
 * Calls for the `days` local days up to and including today, each with tokens jittered around its
 * feature's means and costing what those tokens cost on its model at its instant in the price table
 * aicost itself prices with (`@pydantic/genai-prices`, dated prices), so a what-if on the demo
 * compares like with like (issue 21.3). Yields day by day so a caller can insert in batches. Calls
 * are spread over working hours and never lie after `now`. `scale` multiplies the volume (tests use a
 * small one); at the default the API spend is about $2,500 a month, a mid-size company's bill.
 */
export function* generateDemo(now: Date, timeZone: string, opts: { days?: number; scale?: number; prices?: PriceTable } = {}): Generator<DemoEntry[]> {
  const days = opts.days ?? 120;
  const prices = opts.prices ?? genaiPriceTable();
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
          const untagged = rand() < 0.04; // some calls carry no team tag: they show as unattributed
          const inputTokens = Math.round(f.inputTokens * (0.6 + rand() * 0.8));
          const outputTokens = Math.round(f.outputTokens * (0.6 + rand() * 0.8));
          const provider = providerOf(f.model);
          const amount = prices.price(f.model, provider, { input: inputTokens, output: outputTokens, cacheRead: 0, cacheWrite: 0 }, at);
          if (amount === null) throw new Error(`demo: the price table has no price for ${f.model} on ${day}`);
          batch.push({
            source: 'demo',
            sourceId: `${day}:${f.slug}:${i}`,
            occurredAt: at,
            teamSlug: untagged ? null : team.slug,
            featureSlug: untagged ? null : f.slug,
            environment: ENVIRONMENTS[Math.floor(rand() * ENVIRONMENTS.length)]!,
            customer: CUSTOMERS[Math.floor(rand() * CUSTOMERS.length)]!,
            workItem: `${f.slug}-${day}-${Math.floor(i / (f.callsPerItem ?? 3))}`,
            model: f.model,
            provider,
            inputTokens,
            outputTokens,
            amount,
          });
        }
      }
    }
    yield batch;
  }
}
