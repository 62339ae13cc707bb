import { allocate, type Money } from '../../domain/money.ts';

/**
 * Per-key shares of Anthropic's bill, derived from what Anthropic documents (ARCHITECTURE.md, "Anthropic
 * bills per API key"). The cost report (`/v1/organizations/cost_report`) groups cost by workspace and
 * description only; the messages usage report (`/v1/organizations/usage_report/messages`) groups token
 * counts by `api_key_id`, workspace, model, service tier, context window and inference geo. A token cost
 * row (one workspace, model, service tier, context window, token type) has one price per token, so it is
 * split between the keys exactly in proportion to that token type's count in the usage rows of the same
 * day and group; a web search row by `server_tool_use.web_search_requests` of the workspace's day.
 * Console usage (`api_key_id` null) keeps its share on the workspace. Anything that cannot be matched,
 * or whose usage cannot be trusted, stays whole on the workspace.
 */

/** The five token types of the cost report's `token_type`, and where the usage report counts each. */
export const TOKEN_TYPES = [
  'uncached_input_tokens',
  'output_tokens',
  'cache_read_input_tokens',
  'cache_creation.ephemeral_1h_input_tokens',
  'cache_creation.ephemeral_5m_input_tokens',
] as const;
export type TokenType = (typeof TOKEN_TYPES)[number];

/** An API key id a finance user could map (the id rule of `/aicost admin map`). */
export const API_KEY_ID = /^[A-Za-z0-9_.:-]{1,128}$/;

/** One usage result as read, its counts not yet judged. */
export interface UsageResult {
  day: string;
  apiKey: string | null;
  workspace: string | null;
  model: string | null;
  serviceTier: string | null;
  contextWindow: string | null;
  inferenceGeo: string | null;
  tokens: Record<TokenType, unknown>;
  webSearchRequests: unknown;
}

/** One cost row to split, as the cost report grouped it. */
export interface CostGroup {
  day: string;
  workspace: string | null;
  costType: string | null;
  model: string | null;
  serviceTier: string | null;
  contextWindow: string | null;
  inferenceGeo: string | null;
  tokenType: string | null;
}

const part = (v: string | null) => v ?? '';
const groupKey = (...parts: (string | null)[]) => JSON.stringify(parts.map(part));
/** A count is trusted only as a non-negative safe integer. */
const count = (v: unknown): bigint | null => (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0 ? BigInt(v) : null);

export interface KeyShares {
  /** The usage weights per API key ("" for the Console) of a cost row, or null when it cannot be split. */
  weights(c: CostGroup): Map<string, bigint> | null;
}

/** Indexes usage results by the groups a cost row can be matched with. A tainted group is never split. */
export function indexUsage(results: readonly UsageResult[], taintedDays: ReadonlySet<string> = new Set()): KeyShares {
  const groups = new Map<string, Map<string, bigint>>();
  const tainted = new Set<string>();
  const addTo = (key: string, apiKey: string, n: bigint | null) => {
    if (n === null) tainted.add(key);
    else if (n > 0n) {
      const g = groups.get(key) ?? groups.set(key, new Map()).get(key)!;
      g.set(apiKey, (g.get(apiKey) ?? 0n) + n);
    }
  };
  for (const u of results) {
    // A key id no one could map is not a key aicost can attribute to: its groups are not split.
    const keyOk = u.apiKey === null || API_KEY_ID.test(u.apiKey);
    const apiKey = u.apiKey ?? '';
    for (const t of TOKEN_TYPES) {
      const n = keyOk ? count(u.tokens[t]) : null;
      // Matched with the inference geo when the cost row names one, summed over geos when it does not.
      addTo(groupKey(u.day, u.workspace, 'tokens', u.model, u.serviceTier, u.contextWindow, t, u.inferenceGeo), apiKey, n);
      addTo(groupKey(u.day, u.workspace, 'tokens', u.model, u.serviceTier, u.contextWindow, t, '*'), apiKey, n);
    }
    addTo(groupKey(u.day, u.workspace, 'web_search'), apiKey, keyOk ? count(u.webSearchRequests ?? 0) : null);
  }
  return {
    weights(c) {
      if (taintedDays.has(c.day)) return null;
      let key: string;
      if (c.costType === 'web_search') key = groupKey(c.day, c.workspace, 'web_search');
      else if (c.costType === 'tokens' && c.model && TOKEN_TYPES.includes(c.tokenType as TokenType))
        key = groupKey(c.day, c.workspace, 'tokens', c.model, c.serviceTier, c.contextWindow, c.tokenType, c.inferenceGeo ?? '*');
      else return null;
      if (tainted.has(key)) return null;
      return groups.get(key) ?? null;
    },
  };
}

/**
 * `amount` split by the weights, exactly (largest remainder, keys in sorted order): [apiKey, part] pairs.
 * A credit is split as the mirror of the same charge (`allocate` does), so a refund of a charge takes
 * back from each key exactly what it was given.
 */
export function splitByKey(amount: Money, weights: ReadonlyMap<string, bigint>): [string, Money][] {
  const keys = [...weights.keys()].sort();
  const parts = allocate(
    amount,
    keys.map((k) => weights.get(k)!),
  );
  return keys.map((k, i) => [k, parts[i]!]);
}
