import { z } from 'zod';
import { fromUsd } from '../../domain/money.ts';
import { SourceHttpError, apiUrl, requestJson, type HttpOptions } from '../http.ts';
import { validationMessage } from '../validation.ts';
import { centsToMoney, mergeRows, rejectedBillRow, utcDay, type BilledDay, type BillingClient } from '../../services/ports/billing-source.ts';
import type { RejectedSourceRecord } from '../../services/ports/source.ts';
import { cursorGuard, withRejected } from './paging.ts';

/**
 * Anthropic Admin API cost report: `GET /v1/organizations/cost_report` with an admin key
 * (`x-api-key`, `anthropic-version: 2023-06-01`), RFC 3339 `starting_at` / `ending_at`, daily buckets
 * grouped by `group_by[]=workspace_id` and `group_by[]=description`, at most 31 buckets a page, cursor
 * `page` = the previous `next_page` while `has_more`. Each result's `amount` is a decimal string in the
 * lowest currency unit (cents): "123.45" is $1.2345. `workspace_id` null is the default workspace. A
 * result in another currency, or in a bucket whose start is not a time, is kept aside; the sync judges the rest.
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
      const cursor = cursorGuard(`Anthropic ${ANTHROPIC_COST_PATH}`, from, to);
      for (;;) {
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
        const out: BilledDay[] = [];
        const rejected: RejectedSourceRecord[] = [];
        for (const bucket of parsed.data.data) {
          const start = new Date(bucket.starting_at);
          const ok = !Number.isNaN(start.getTime());
          const day = ok ? utcDay(start) : `starting_at ${bucket.starting_at.slice(0, 40)}`;
          const rows = [];
          for (const r of bucket.results) {
            const reject = (reason: string) =>
              rejected.push(rejectedBillRow('anthropic', { day, scope: r.workspace_id, lineItem: r.description ?? r.cost_type, cost: r.amount }, reason));
            if (!ok) reject(`bucket starting_at "${bucket.starting_at.slice(0, 40)}" is not a time`);
            else if (r.currency.toUpperCase() !== 'USD') reject(`a cost in ${r.currency.slice(0, 20)}, not USD`);
            else rows.push({ scope: r.workspace_id ?? '', lineItem: r.description ?? r.cost_type ?? '', amount: centsToMoney(r.amount, fromUsd) });
          }
          if (ok) out.push(mergeRows('anthropic', day, rows));
        }
        yield withRejected(out, rejected);
        if (!parsed.data.has_more || !parsed.data.next_page) return;
        page = cursor.next(parsed.data.next_page, res.status);
      }
    },
  };
}
