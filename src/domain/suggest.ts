import { distance } from 'fastest-levenshtein';

/** Known names ordered by closeness to what the user typed (prefix matches first, then edit distance). */
export function closest(typed: string, known: readonly string[], limit = 10): string[] {
  const t = typed.toLowerCase();
  return [...known]
    .map((k) => ({ k, score: k.startsWith(t) || t.startsWith(k) ? -1 : distance(t, k.toLowerCase()) }))
    .sort((a, b) => a.score - b.score || a.k.localeCompare(b.k))
    .slice(0, limit)
    .map((x) => x.k);
}
