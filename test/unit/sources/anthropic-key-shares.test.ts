import { describe, expect, it } from 'vitest';
import { fromUsd, nanos, sum } from '../../../src/domain/money.ts';
import { indexUsage, splitByKey, type CostGroup, type UsageResult } from '../../../src/sources/billing/anthropic-key-shares.ts';

const usage = (apiKey: string | null, output: unknown, geo: string | null = null): UsageResult => ({
  day: '2026-10-02',
  apiKey,
  workspace: 'wrkspc_a',
  model: 'claude-sonnet-4',
  serviceTier: 'standard',
  contextWindow: '0-200k',
  inferenceGeo: geo,
  tokens: {
    uncached_input_tokens: 0,
    output_tokens: output,
    cache_read_input_tokens: 0,
    'cache_creation.ephemeral_1h_input_tokens': 0,
    'cache_creation.ephemeral_5m_input_tokens': 0,
  },
  webSearchRequests: 0,
});
const row = (extra: Partial<CostGroup> = {}): CostGroup => ({
  day: '2026-10-02',
  workspace: 'wrkspc_a',
  costType: 'tokens',
  model: 'claude-sonnet-4',
  serviceTier: 'standard',
  contextWindow: '0-200k',
  inferenceGeo: null,
  tokenType: 'output_tokens',
  ...extra,
});

describe('per-key shares of an Anthropic cost row', () => {
  it('splits a credit like a charge: negative parts that add up exactly', () => {
    const parts = splitByKey(
      fromUsd('-10'),
      new Map([
        ['apikey_b', 1n],
        ['apikey_a', 2n],
      ]),
    );
    expect(parts).toEqual([
      ['apikey_a', nanos(-6_666_666_667n)],
      ['apikey_b', nanos(-3_333_333_333n)],
    ]);
    expect(sum(parts.map(([, m]) => m))).toBe(fromUsd('-10'));
    // The mirror of the charge: charged then refunded, every key is back at zero.
    const charged = splitByKey(
      fromUsd('10'),
      new Map([
        ['apikey_b', 1n],
        ['apikey_a', 2n],
      ]),
    );
    expect(charged.map(([k, m], i) => [k, m + parts[i]![1]])).toEqual([
      ['apikey_a', 0n],
      ['apikey_b', 0n],
    ]);
  });

  it('matches the geo a row names, sums over geos when it names none, and keeps the Console as ""', () => {
    const shares = indexUsage([usage('apikey_a', 30, 'us'), usage('apikey_b', 10, 'global'), usage(null, 5, 'global')]);
    expect(shares.weights(row({ inferenceGeo: 'us' }))).toEqual(new Map([['apikey_a', 30n]]));
    expect(shares.weights(row())).toEqual(
      new Map([
        ['apikey_a', 30n],
        ['apikey_b', 10n],
        ['', 5n],
      ]),
    );
    // Another tier, window, token type, model, day or workspace is another price: no match, the row stays whole.
    for (const other of [
      { serviceTier: 'batch' },
      { contextWindow: '200k-1M' },
      { tokenType: 'cache_read_input_tokens' },
      { model: 'claude-opus-4' },
      { day: '2026-10-03' },
      { workspace: null },
    ])
      expect(shares.weights(row(other))).toBeNull();
    // Costs with no documented per-key usage are never split.
    expect(shares.weights(row({ costType: 'code_execution' }))).toBeNull();
    expect(shares.weights(row({ tokenType: 'some_new_token_type' }))).toBeNull();
  });
});
