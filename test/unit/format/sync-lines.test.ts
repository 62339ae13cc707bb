import { describe, expect, it } from 'vitest';
import { syncStatusParts } from '../../../src/format/sync-lines.ts';
import type { SyncStatusView } from '../../../src/services/sync-service.ts';

const now = new Date('2026-11-15T12:00:00Z');
const source = (over: Partial<SyncStatusView['sources'][number]>): SyncStatusView['sources'][number] => ({
  source: 'helicone',
  configured: true,
  lastSuccess: new Date('2026-11-15T11:55:00Z'),
  lastRunAt: new Date('2026-11-15T11:55:00Z'),
  lastError: null,
  lastErrorAt: null,
  watermark: new Date('2026-11-15T11:50:00Z'),
  recordsTotal: 10,
  lastRecords: 1,
  keptAside: 0,
  ...over,
});

// The headline is also the notification text: it said only "Cost sources:".
describe('/aicost sync headline', () => {
  it('says how many sources are on, that none fails, and how fresh the oldest data is', () => {
    const parts = syncStatusParts({
      start: null,
      now,
      sources: [
        source({}),
        source({ source: 'langfuse', watermark: new Date('2026-11-15T09:00:00Z') }),
        source({ source: 'openai', configured: false, lastSuccess: null, watermark: null }),
        source({ source: 'anthropic', configured: false, lastSuccess: null, watermark: null }),
      ],
    });
    expect(parts.summary[0]).toBe('2 of 4 sources on, none failing; data up to 3 hours ago at the oldest.');
  });

  it('names a source whose last run failed after its last success first', () => {
    const parts = syncStatusParts({
      start: null,
      now,
      sources: [
        source({ lastError: 'HTTP 401', lastErrorAt: new Date('2026-11-15T11:58:00Z') }),
        // An old error followed by a success is not failing.
        source({ source: 'langfuse', lastError: 'HTTP 500', lastErrorAt: new Date('2026-11-14T00:00:00Z') }),
        source({ source: 'openai', lastSuccess: null, lastError: 'HTTP 403', lastErrorAt: new Date('2026-11-15T11:00:00Z'), watermark: null }),
      ],
    });
    expect(parts.summary[0]).toBe('3 of 3 sources on, Helicone and OpenAI bill failing; data up to 10 minutes ago at the oldest.');
  });

  it('says when nothing is configured', () => {
    const parts = syncStatusParts({ start: null, now, sources: [source({ configured: false })] });
    expect(parts.summary[0]).toBe('No cost source is configured yet; the last note says which variables turn each on.');
  });
});
