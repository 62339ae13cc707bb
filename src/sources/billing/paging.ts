import { SourceHttpError } from '../http.ts';
import type { BillingPage } from '../../services/ports/billing-source.ts';
import type { RejectedSourceRecord } from '../../services/ports/source.ts';

const DAY_MS = 86_400_000;

/**
 * Guards a billing API's cursor: a `next_page` seen before (A→B→A) fails the read at once, and so does
 * a read that takes more pages than the window has days (each page of daily buckets advances at least
 * one day, so an honest API never needs more), whatever the cursors look like.
 */
export function cursorGuard(label: string, from: Date, to: Date) {
  const seen = new Set<string>();
  const maxPages = Math.ceil(Math.max(0, to.getTime() - from.getTime()) / DAY_MS) + 2;
  let pages = 0;
  return {
    /** The cursor to ask for next; throws when it repeats or the read runs past what the window can hold. */
    next(cursor: string, status: number): string {
      pages++;
      if (seen.has(cursor))
        throw new SourceHttpError(`${label}: the cursor repeats (page ${pages} points back to an earlier page)`, 'invalid-response', status, 1);
      if (pages >= maxPages)
        throw new SourceHttpError(`${label}: more than ${maxPages} pages for ${maxPages - 2} days; the cursor does not advance`, 'invalid-response', status, 1);
      seen.add(cursor);
      return cursor;
    },
  };
}

/** A page with what was kept aside attached (only when something was). */
export function withRejected(days: BillingPage, rejected: RejectedSourceRecord[]): BillingPage {
  if (rejected.length) days.rejected = rejected;
  return days;
}
