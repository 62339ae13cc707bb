import { describe, expect, it } from 'vitest';
import { topContributors } from '../../../src/domain/anomaly/contributors.ts';

describe('topContributors', () => {
  const baseline = [
    { dimension: 'feature', key: 'support-bot', value: 400 },
    { dimension: 'feature', key: 'search', value: 300 },
    { dimension: 'feature', key: 'summaries', value: 300 },
    { dimension: 'model', key: 'gpt-4o', value: 600 },
    { dimension: 'model', key: 'claude-haiku', value: 400 },
  ];
  const current = [
    { dimension: 'feature', key: 'support-bot', value: 1150 },
    { dimension: 'feature', key: 'search', value: 360 },
    { dimension: 'feature', key: 'summaries', value: 250 },
    { dimension: 'feature', key: 'new-agent', value: 50 },
    { dimension: 'model', key: 'gpt-4o', value: 1410 },
    { dimension: 'model', key: 'claude-haiku', value: 400 },
  ];

  it('ranks what pushed the change hardest, with its share of the dimension Δ', () => {
    const top = topContributors(current, baseline, 3);
    expect(top.map((c) => [c.dimension, c.key])).toEqual([
      ['model', 'gpt-4o'],
      ['feature', 'support-bot'],
      ['feature', 'search'],
    ]);
    expect(top[0]!.delta).toBe(810);
    expect(top[0]!.share).toBeCloseTo(1, 10);
    expect(top[1]!.delta).toBe(750);
    expect(top[1]!.share).toBeCloseTo(750 / 810, 10);
    expect(top[2]!.share).toBeCloseTo(60 / 810, 10);
    expect(top[1]!.changePct).toBeCloseTo(187.5, 10);
  });

  it('shares of one dimension sum to 1, offsets negative; a new key has no % change', () => {
    const all = topContributors(current, baseline, 100).filter((c) => c.dimension === 'feature');
    expect(all.reduce((a, c) => a + c.share!, 0)).toBeCloseTo(1, 10);
    expect(all.find((c) => c.key === 'summaries')!.share).toBeCloseTo(-50 / 810, 10);
    const fresh = all.find((c) => c.key === 'new-agent')!;
    expect(fresh.baseline).toBe(0);
    expect(fresh.changePct).toBeNull();
    expect(all.at(-1)!.key).toBe('summaries');
  });

  it('ranks in the direction of a drop too', () => {
    const top = topContributors(
      [
        { dimension: 'customer', key: 'acme', value: 100 },
        { dimension: 'customer', key: 'globex', value: 480 },
      ],
      [
        { dimension: 'customer', key: 'acme', value: 500 },
        { dimension: 'customer', key: 'globex', value: 500 },
      ],
      1,
    );
    expect(top).toHaveLength(1);
    expect(top[0]!.key).toBe('acme');
    expect(top[0]!.share).toBeCloseTo(400 / 420, 10);
  });
});
