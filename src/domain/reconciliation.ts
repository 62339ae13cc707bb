import { add, ratio, sub, sum, ZERO, type Money } from './money.ts';

/**
 * Reconciliation of observed spend (what Helicone/Langfuse saw) with what a provider billed, per
 * provider and billing day (UTC, as the providers bucket). Pure.
 *
 * Per provider and day: unobserved = billed − observed, coverage = observed / billed. Negative gaps
 * (observed above billed: credits, discounts, estimate errors) are kept as they are.
 *
 * Finance maps provider projects/workspaces to teams. A team's unobserved spend is what its mapped
 * projects billed minus what was observed for that team and provider; the rest (unmapped projects,
 * minus the observed spend of unmapped teams and of calls with no team) is the shared group
 * (`teamId: null`). The groups sum exactly to the day's billed − observed.
 */
export type Provider = 'openai' | 'anthropic';

export interface BilledInput {
  provider: Provider;
  day: string;
  scope: string;
  lineItem: string;
  /** The API key billed ("" or absent when the bill does not say). */
  apiKey?: string;
  amount: Money;
}

export interface ObservedInput {
  day: string;
  teamId: number | null;
  provider: Provider;
  amount: Money;
}

export interface ScopeMapping {
  provider: Provider;
  /** What `scopeId` names: a project/workspace (the default) or an API key. */
  scopeType?: 'project' | 'workspace' | 'api_key';
  scopeId: string;
  teamId: number;
}

export interface GroupGap {
  /** The team the mapped projects belong to, or null for the shared rest. */
  teamId: number | null;
  scopes: string[];
  billed: Money;
  observed: Money;
  unobserved: Money;
}

export interface DayGap {
  provider: Provider;
  day: string;
  billed: Money;
  observed: Money;
  unobserved: Money;
  groups: GroupGap[];
}

const PROVIDER_NAME: Record<Provider, string> = { openai: 'OpenAI', anthropic: 'Anthropic' };

/**
 * The cost category of a provider's unobserved spend, "unobserved (OpenAI bill)": what the provider
 * billed that no observability source saw. It is spend on that provider's bill, not a hidden cost
 * people entered, and every budget, post, chargeback and export names it so (issue 21).
 */
export function unobservedCategory(provider: Provider): string {
  return `unobserved (${PROVIDER_NAME[provider]} bill)`;
}

/**
 * The category of a correction of a closed month, booked in the open month: "vector_db, correction of
 * 2026-10". Every correction is shown as such wherever it appears (the chargeback lists it among the
 * adjustments), whether it came from a provider's bill or an imported FOCUS file.
 */
export function correctionCategory(category: string, month: string): string {
  return `${category}, correction of ${month}`;
}

/** A correction of a closed month's unobserved spend: "unobserved (OpenAI bill), correction of 2026-10" (issue 21 item 2). */
export function unobservedCorrectionCategory(provider: Provider, month: string): string {
  return correctionCategory(unobservedCategory(provider), month);
}

/** The closed month a category corrects ("2026-10"), or null when it is no correction. */
export function correctedMonthOf(category: string): string | null {
  return /, correction of (\d{4}-\d{2})$/.exec(category)?.[1] ?? null;
}

/** Whether a cost category is a provider's unobserved spend (or a correction of a closed month's). */
export function isUnobservedCategory(category: string): boolean {
  return /^unobserved \((OpenAI|Anthropic) bill\)(, correction of \d{4}-\d{2})?$/.test(category);
}

/** The billing provider an observed record was paid to, from the source's provider name or the model. */
export function billingProviderOf(provider: string | null, model: string | null): Provider | null {
  const p = provider?.toLowerCase() ?? '';
  if (p === 'openai') return 'openai';
  if (p === 'anthropic') return 'anthropic';
  if (p !== '') return null; // Azure, Bedrock, Vertex, …: billed by someone else
  const m = model?.toLowerCase() ?? '';
  if (/^(gpt-|o\d|chatgpt|text-embedding|dall-e|whisper|tts-|omni-moderation|text-moderation|davinci|babbage)/.test(m)) return 'openai';
  if (m.startsWith('claude')) return 'anthropic';
  return null;
}

/**
 * The gaps of every (provider, day) that has billing data and is complete (`day < completeBefore`):
 * a day not billed yet is not reconciled at all (its observed spend is not a negative gap).
 */
export function reconcileDays(
  billed: readonly BilledInput[],
  observed: readonly ObservedInput[],
  mappings: readonly ScopeMapping[],
  completeBefore: string,
): DayGap[] {
  // A mapped API key wins over its project/workspace's mapping: the key says who made the call.
  const teamOf = new Map(mappings.map((m) => [`${m.provider}\u0000${m.scopeType === 'api_key' ? 'key' : 'scope'}\u0000${m.scopeId}`, m.teamId]));
  const days = new Map<string, { provider: Provider; day: string; groups: Map<number | null, GroupGap> }>();
  const group = (d: { groups: Map<number | null, GroupGap> }, teamId: number | null) => {
    let g = d.groups.get(teamId);
    if (!g) d.groups.set(teamId, (g = { teamId, scopes: [], billed: ZERO, observed: ZERO, unobserved: ZERO }));
    return g;
  };
  for (const b of billed) {
    if (b.day >= completeBefore) continue;
    const key = `${b.provider}\u0000${b.day}`;
    let d = days.get(key);
    if (!d) days.set(key, (d = { provider: b.provider, day: b.day, groups: new Map() }));
    const byKey = b.apiKey ? teamOf.get(`${b.provider}\u0000key\u0000${b.apiKey}`) : undefined;
    const g = group(d, byKey ?? teamOf.get(`${b.provider}\u0000scope\u0000${b.scope}`) ?? null);
    g.billed = add(g.billed, b.amount);
    const label = byKey !== undefined ? `key ${b.apiKey}` : b.scope;
    if (!g.scopes.includes(label)) g.scopes.push(label);
  }
  const mappedTeams = new Set(mappings.map((m) => `${m.provider}\u0000${m.teamId}`));
  for (const o of observed) {
    const d = days.get(`${o.provider}\u0000${o.day}`);
    if (!d) continue;
    const teamId = o.teamId !== null && mappedTeams.has(`${o.provider}\u0000${o.teamId}`) ? o.teamId : null;
    const g = group(d, teamId);
    g.observed = add(g.observed, o.amount);
  }
  const out: DayGap[] = [];
  for (const d of days.values()) {
    const groups = [...d.groups.values()].sort((a, b) => (a.teamId ?? 0) - (b.teamId ?? 0));
    for (const g of groups) g.unobserved = sub(g.billed, g.observed);
    const billedSum = sum(groups.map((g) => g.billed));
    const observedSum = sum(groups.map((g) => g.observed));
    out.push({ provider: d.provider, day: d.day, billed: billedSum, observed: observedSum, unobserved: sub(billedSum, observedSum), groups });
  }
  return out.sort((a, b) => (a.provider === b.provider ? a.day.localeCompare(b.day) : a.provider.localeCompare(b.provider)));
}

/** observed / billed as a percentage; null when nothing was billed. */
export function coveragePct(observed: Money, billed: Money): number | null {
  return billed === 0n ? null : ratio(observed, billed) * 100;
}
