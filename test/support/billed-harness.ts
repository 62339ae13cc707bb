import { expect } from 'vitest';
import { startHarness, type Harness } from './app-harness.ts';
import type { BillingStandIn } from './billing-stand-ins.ts';
import type { TestProvider } from './database.ts';
import type { HeliconeStandIn } from './helicone-stand-in.ts';

/**
 * The bot with Helicone and the provider bills that are given, each pointed at its stand-in, then one
 * sync over `window` that must succeed: the set-up of every test about unobserved (billed, not
 * observed) spend. Open visibility, UTC months, no scheduler.
 */
export async function startBilledHarness(
  provider: TestProvider,
  sources: { helicone: HeliconeStandIn; openai?: BillingStandIn<unknown>; anthropic?: BillingStandIn<unknown> },
  now: Date,
  window: { from: Date; to: Date },
): Promise<Harness> {
  const { helicone, openai, anthropic } = sources;
  const h = await startHarness(
    provider,
    {
      REPORT_TIMEZONE: 'UTC',
      SCHEDULER_ENABLED: 'false',
      VISIBILITY: 'open',
      HELICONE_API_KEY: helicone.apiKey,
      HELICONE_BASE_URL: helicone.url,
      ...(openai ? { OPENAI_ADMIN_KEY: openai.adminKey, OPENAI_BASE_URL: openai.url } : {}),
      ...(anthropic ? { ANTHROPIC_ADMIN_KEY: anthropic.adminKey, ANTHROPIC_BASE_URL: anthropic.url } : {}),
    },
    () => now,
  );
  const results = await h.running.runtime.sync.run(now, window);
  expect(results.filter((r) => !r.ok)).toEqual([]);
  return h;
}
