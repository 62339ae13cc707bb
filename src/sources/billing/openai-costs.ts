import { z } from 'zod';
import { fromUsd } from '../../domain/money.ts';
import { SourceHttpError, apiUrl, requestJson, type HttpOptions } from '../http.ts';
import { validationMessage } from '../validation.ts';
import { mergeRows, rejectedBillRow, utcDay, type BilledDay, type BillingClient } from '../../services/ports/billing-source.ts';
import type { RejectedSourceRecord } from '../../services/ports/source.ts';
import { cursorGuard, withRejected } from './paging.ts';

/**
 * OpenAI Costs API: `GET /v1/organization/costs` with an admin key, daily buckets grouped by
 * project_id, line_item and api_key_id (so finance can map a key to a team), cursor paging (`page` = the previous `next_page` while `has_more`).
 * The contract is OpenAI's OpenAPI document (UsageResponse / UsageTimeBucket / CostsResult).
 * `amount.value` is a JSON number in `amount.currency` (lowercase ISO 4217); only USD is accepted, a
 * result in another currency is kept aside rather than mixed into dollars. Nothing else is judged here:
 * the sync checks every bucket against the window asked for, closed months and plausible amounts.
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
  api_key_id: z.string().nullish(),
});

const costsPage = z.looseObject({
  object: z.literal('page'),
  data: z.array(
    z.looseObject({
      object: z.literal('bucket'),
      start_time: z.number().int(),
      end_time: z.number().int(),
      // Each result is read on its own: one the document allows but we cannot count (another kind of
      // usage result, no amount) is kept aside with its reason instead of failing the page.
      results: z.array(z.unknown()),
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
      let perKey = true;
      const cursor = cursorGuard(`OpenAI ${OPENAI_COSTS_PATH}`, from, to);
      for (;;) {
        const url = apiUrl(base, OPENAI_COSTS_PATH, {
          start_time: Math.floor(from.getTime() / 1000),
          end_time: Math.floor(to.getTime() / 1000),
          bucket_width: '1d',
          limit,
          page,
        });
        url.searchParams.append('group_by', 'project_id');
        url.searchParams.append('group_by', 'line_item');
        if (perKey) url.searchParams.append('group_by', 'api_key_id');
        const ask = () =>
          requestJson(
            { method: 'GET', url, label: 'OpenAI', headers: { authorization: `Bearer ${options.adminKey}` }, secrets: [options.adminKey], signal },
            options.http,
          );
        let res: Awaited<ReturnType<typeof ask>>;
        try {
          res = await ask();
        } catch (err) {
          // Per key where the admin key allows it: a first page refused with the key grouping is asked again without it.
          if (!(perKey && page === undefined && err instanceof SourceHttpError && (err.status === 400 || err.status === 403))) throw err;
          perKey = false;
          url.searchParams.delete('group_by', 'api_key_id');
          res = await ask();
        }
        const parsed = costsPage.safeParse(res.body);
        if (!parsed.success)
          throw new SourceHttpError(`OpenAI ${OPENAI_COSTS_PATH}: unexpected response (${validationMessage(parsed.error)})`, 'invalid-response', res.status, 1);
        const out: BilledDay[] = [];
        const rejected: RejectedSourceRecord[] = [];
        for (const bucket of parsed.data.data) {
          const start = new Date(bucket.start_time * 1000);
          const day = Number.isNaN(start.getTime()) ? `start_time ${bucket.start_time}` : utcDay(start);
          const rows = [];
          for (const raw of bucket.results) {
            const read = costsResult.safeParse(raw);
            if (!read.success) {
              const kind = raw && typeof raw === 'object' ? (raw as { object?: unknown }).object : undefined;
              rejected.push(
                rejectedBillRow(
                  'openai',
                  { day, cost: null },
                  typeof kind === 'string' && kind !== 'organization.costs.result'
                    ? `a ${kind.slice(0, 60)}, not a costs result`
                    : `an unreadable costs result (${validationMessage(read.error)})`,
                ),
              );
              continue;
            }
            const r = read.data;
            const currency = (r.amount?.currency ?? 'usd').toLowerCase();
            const value = r.amount?.value;
            const reject = (reason: string) =>
              rejected.push(rejectedBillRow('openai', { day, scope: r.project_id, lineItem: r.line_item, apiKey: r.api_key_id, cost: value ?? null }, reason));
            if (Number.isNaN(start.getTime())) reject(`bucket start_time ${bucket.start_time} is not a time`);
            // The document makes amount (and its value) optional: a result without one is not read as $0.
            else if (value === undefined) reject('a costs result without amount.value');
            else if (currency !== 'usd') reject(`a cost in ${currency.slice(0, 20)}, not usd`);
            else rows.push({ scope: r.project_id ?? '', lineItem: r.line_item ?? '', apiKey: r.api_key_id ?? '', amount: fromUsd(value) });
          }
          if (!Number.isNaN(start.getTime())) out.push(mergeRows('openai', day, rows));
        }
        yield withRejected(out, rejected);
        if (!parsed.data.has_more || !parsed.data.next_page) return;
        page = cursor.next(parsed.data.next_page, res.status);
      }
    },
  };
}
