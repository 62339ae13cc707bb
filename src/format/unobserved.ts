import { isUnobservedCategory } from '../domain/reconciliation.ts';
import { formatMoney, sub, sum, type Money } from '../domain/money.ts';

/**
 * A team's hidden-cost categories split into what people entered and what providers billed unseen
 * ("unobserved (OpenAI bill)"): the second is API spend on a bill, never called "hidden" (issue 21).
 */
export function splitHidden(hidden: ReadonlyMap<string, Money>, total?: Money): { entered: Money; unobserved: [string, Money][] } {
  const unobserved = [...hidden].filter(([c]) => isUnobservedCategory(c)).sort((a, b) => a[0].localeCompare(b[0]));
  return { entered: sub(total ?? sum(hidden.values()), sum(unobserved.map(([, a]) => a))), unobserved };
}

/** " + unobserved (OpenAI bill) $12.00" for each provider with unobserved spend (with `joiner` in front of each). */
export function unobservedText(unobserved: readonly [string, Money][], joiner = ' + '): string {
  return unobserved.map(([c, a]) => `${joiner}${c} ${formatMoney(a)}`).join('');
}
