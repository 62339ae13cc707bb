import type { HttpOptions } from '../../../src/sources/http.ts';
import type { NormalizedCost, SourceClient } from '../../../src/services/ports/source.ts';

/** HTTP options for tests: no real waiting (waits are recorded), deterministic jitter. */
export function fastHttp(extra: HttpOptions = {}): HttpOptions & { sleeps: number[] } {
  const sleeps: number[] = [];
  return { sleep: async (ms) => void sleeps.push(ms), random: () => 0.5, timeoutMs: 5_000, ...extra, sleeps };
}

/** Drains a client's pages over [from, to). */
export async function collect(client: SourceClient, from: Date, to: Date): Promise<NormalizedCost[][]> {
  const pages: NormalizedCost[][] = [];
  for await (const page of client.pages(from, to)) pages.push(page);
  return pages;
}

export const DAY = 86_400_000;
export const addMs = (d: Date, ms: number) => new Date(d.getTime() + ms);
