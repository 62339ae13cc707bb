import { z } from 'zod';
import { fromUsd } from '../../domain/money.ts';
import { SourceHttpError, apiUrl, requestJson, type HttpOptions } from '../http.ts';
import { validationMessage } from '../validation.ts';
import { centsToMoney, mergeRows, utcDay, type BillingClient } from '../../services/ports/billing-source.ts';

/**
 * Anthropic Admin API cost report: `GET /v1/organizations/cost_report` with an admin key
 * (`x-api-key`, `anthropic-version: 2023-06-01`), RFC 3339 `starting_at` / `ending_at`, daily buckets
 * grouped by `group_by[]=workspace_id` and `group_by[]=description`, at most 31 buckets a page, cursor
 * `page` = the previous `next_page` while `has_more`. Each result's `amount` is a decimal string in the
 * lowest currency unit (cents): "123.45" is $1.2345. `workspace_id` null is the default workspace.
 */
export const ANTHROPIC_DEFAULT_BASE_URL = 'https://api.anthropic.com';
export const ANTHROPIC_COST_PATH = '/v1/organizations/cost_report';
export const ANTHROPIC_MAX_BUCKETS = 31;

export interface AnthropicCostOptions {
  adminKey: string;
  baseUrl?: string;
  /** Buckets per page, 1..31. Default 31. */
  limit?: number;
  http?: HttpOptions;
}

const costResult = z.looseObject({
  amount: z.string().regex(/^[+-]?(\d+(\.\d*)?|\.\d+)$/, 'must be a decimal string of cents'),
  currency: z.string().default('USD'),
  workspace_id: z.string().nullish(),
  description: z.string().nullish(),
  cost_type: z.string().nullish(),
  model: z.string().nullish(),
});

const costReport = z.looseObject({
  data: z.array(z.looseObject({ starting_at: z.string(), ending_at: z.string(), results: z.array(costResult) })),
  has_more: z.boolean(),
  next_page: z.string().nullish(),
});

export function createAnthropicCostClient(options: AnthropicCostOptions): BillingClient {
  const limit = options.limit ?? ANTHROPIC_MAX_BUCKETS;
  if (!Number.isInteger(limit) || limit < 1 || limit > ANTHROPIC_MAX_BUCKETS)
    throw new RangeError(`Anthropic cost report limit must be 1..${ANTHROPIC_MAX_BUCKETS}, got ${limit}`);
  const base = options.baseUrl ?? ANTHROPIC_DEFAULT_BASE_URL;
  return {
    provider: 'anthropic',
    async *days(from, to, signal) {
      let page: string | undefined;
      for (let n = 0; ; n++) {
        const url = apiUrl(base, ANTHROPIC_COST_PATH, { starting_at: from.toISOString(), ending_at: to.toISOString(), bucket_width: '1d', limit, page });
        url.searchParams.append('group_by[]', 'workspace_id');
        url.searchParams.append('group_by[]', 'description');
        const res = await requestJson(
          {
            method: 'GET',
            url,
            label: 'Anthropic',
            headers: { 'x-api-key': options.adminKey, 'anthropic-version': '2023-06-01' },
            secrets: [options.adminKey],
            signal,
          },
          options.http,
        );
        const parsed = costReport.safeParse(res.body);
        if (!parsed.success)
          throw new SourceHttpError(
            `Anthropic ${ANTHROPIC_COST_PATH}: unexpected response (${validationMessage(parsed.error)})`,
            'invalid-response',
            res.status,
            1,
          );
        const out = [];
        for (const bucket of parsed.data.data) {
          const start = new Date(bucket.starting_at);
          if (Number.isNaN(start.getTime()))
            throw new SourceHttpError(`Anthropic ${ANTHROPIC_COST_PATH}: starting_at "${bucket.starting_at}" is not a time`, 'invalid-response', res.status, 1);
          const rows = [];
          for (const r of bucket.results) {
            if (r.currency.toUpperCase() !== 'USD')
              throw new SourceHttpError(
                `Anthropic ${ANTHROPIC_COST_PATH}: a cost in ${r.currency}, not USD; nothing of this read was stored`,
                'invalid-response',
                res.status,
                1,
              );
            rows.push({ scope: r.workspace_id ?? '', lineItem: r.description ?? r.cost_type ?? '', amount: centsToMoney(r.amount, fromUsd) });
          }
          out.push(mergeRows('anthropic', utcDay(start), rows));
        }
        yield out;
        if (!parsed.data.has_more || !parsed.data.next_page) return;
        if (parsed.data.next_page === page || n > 10_000)
          throw new SourceHttpError(`Anthropic ${ANTHROPIC_COST_PATH}: the cursor does not advance`, 'invalid-response', res.status, 1);
        page = parsed.data.next_page;
      }
    },
  };
}
