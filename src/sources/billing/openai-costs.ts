import { z } from 'zod';
import { fromUsd } from '../../domain/money.ts';
import { SourceHttpError, apiUrl, requestJson, type HttpOptions } from '../http.ts';
import { validationMessage } from '../validation.ts';
import { mergeRows, utcDay, type BillingClient } from '../../services/ports/billing-source.ts';

/**
 * OpenAI Costs API: `GET /v1/organization/costs` with an admin key, daily buckets grouped by
 * project_id and line_item, cursor paging (`page` = the previous `next_page` while `has_more`).
 * The contract is OpenAI's OpenAPI document (UsageResponse / UsageTimeBucket / CostsResult).
 * `amount.value` is a JSON number in `amount.currency` (lowercase ISO 4217); only USD is accepted, a
 * bucket in another currency fails the read rather than being mixed into dollars.
 */
export const OPENAI_DEFAULT_BASE_URL = 'https://api.openai.com';
export const OPENAI_COSTS_PATH = '/v1/organization/costs';
export const OPENAI_MAX_BUCKETS = 180;

export interface OpenAiCostsOptions {
  adminKey: string;
  baseUrl?: string;
  /** Buckets per page, 1..180. Default 31. */
  limit?: number;
  http?: HttpOptions;
}

const costsResult = z.looseObject({
  object: z.literal('organization.costs.result'),
  amount: z.looseObject({ value: z.number().finite().optional(), currency: z.string().optional() }).optional(),
  line_item: z.string().nullish(),
  project_id: z.string().nullish(),
});

const costsPage = z.looseObject({
  object: z.literal('page'),
  data: z.array(
    z.looseObject({
      object: z.literal('bucket'),
      start_time: z.number().int(),
      end_time: z.number().int(),
      results: z.array(costsResult),
    }),
  ),
  has_more: z.boolean(),
  next_page: z.string().nullable(),
});

export function createOpenAiCostsClient(options: OpenAiCostsOptions): BillingClient {
  const limit = options.limit ?? 31;
  if (!Number.isInteger(limit) || limit < 1 || limit > OPENAI_MAX_BUCKETS)
    throw new RangeError(`OpenAI costs limit must be 1..${OPENAI_MAX_BUCKETS}, got ${limit}`);
  const base = options.baseUrl ?? OPENAI_DEFAULT_BASE_URL;
  return {
    provider: 'openai',
    async *days(from, to, signal) {
      let page: string | undefined;
      for (let n = 0; ; n++) {
        const url = apiUrl(base, OPENAI_COSTS_PATH, {
          start_time: Math.floor(from.getTime() / 1000),
          end_time: Math.floor(to.getTime() / 1000),
          bucket_width: '1d',
          limit,
          page,
        });
        url.searchParams.append('group_by', 'project_id');
        url.searchParams.append('group_by', 'line_item');
        const res = await requestJson(
          { method: 'GET', url, label: 'OpenAI', headers: { authorization: `Bearer ${options.adminKey}` }, secrets: [options.adminKey], signal },
          options.http,
        );
        const parsed = costsPage.safeParse(res.body);
        if (!parsed.success)
          throw new SourceHttpError(`OpenAI ${OPENAI_COSTS_PATH}: unexpected response (${validationMessage(parsed.error)})`, 'invalid-response', res.status, 1);
        const out = [];
        for (const bucket of parsed.data.data) {
          const rows = [];
          for (const r of bucket.results) {
            const currency = (r.amount?.currency ?? 'usd').toLowerCase();
            if (currency !== 'usd')
              throw new SourceHttpError(
                `OpenAI ${OPENAI_COSTS_PATH}: a cost in ${currency}, not usd; nothing of this read was stored`,
                'invalid-response',
                res.status,
                1,
              );
            rows.push({ scope: r.project_id ?? '', lineItem: r.line_item ?? '', amount: fromUsd(r.amount?.value ?? 0) });
          }
          out.push(mergeRows('openai', utcDay(new Date(bucket.start_time * 1000)), rows));
        }
        yield out;
        if (!parsed.data.has_more || !parsed.data.next_page) return;
        if (parsed.data.next_page === page || n > 10_000)
          throw new SourceHttpError(`OpenAI ${OPENAI_COSTS_PATH}: the cursor does not advance`, 'invalid-response', res.status, 1);
        page = parsed.data.next_page;
      }
    },
  };
}
