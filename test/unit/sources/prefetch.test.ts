import { describe, expect, it } from 'vitest';
import { prefetched } from '../../../src/services/source-sync.ts';

describe('prefetched pages', () => {
  it('keeps the order, reads one page ahead at most, and surfaces a failure when its page is reached', async () => {
    const requested: number[] = [];
    async function* pages() {
      for (let i = 1; i <= 3; i++) {
        requested.push(i);
        await new Promise((r) => setTimeout(r, 5));
        if (i === 3) throw new Error('page 3 failed');
        yield i;
      }
    }
    const seen: number[] = [];
    const run = (async () => {
      for await (const p of prefetched(pages())) {
        seen.push(p);
        // While page p is being stored, page p + 1 has been requested, and no further.
        expect(requested.at(-1)).toBe(p + 1);
        await new Promise((r) => setTimeout(r, 20));
      }
    })();
    await expect(run).rejects.toThrow('page 3 failed');
    expect(seen).toEqual([1, 2]);
  });
});
