import { fromUsd } from '../../src/domain/money.ts';
import type { NormalizedCost } from '../../src/services/ports/source.ts';

/** When (ISO) and how many dollars, plus the record's own fields; `at` and `amount` replace `occurredAt` and `amount`. */
type CallFields = { at: string; amount: string } & Pick<NormalizedCost, 'sourceId' | 'team' | 'feature' | 'customer'> &
  Omit<Partial<NormalizedCost>, 'occurredAt' | 'amount'>;

/**
 * One Helicone call as the sources hand it to the store: production, gpt-4o, 1,000 + 100 tokens, priced by
 * the source, at `amount` dollars. Tests set what they are about and leave the rest to these defaults.
 */
export function heliconeCall(f: CallFields): NormalizedCost {
  const { at, amount, ...rest } = f;
  return {
    source: 'helicone',
    occurredAt: new Date(at),
    environment: 'production',
    workItem: null,
    model: 'gpt-4o',
    provider: 'openai',
    category: 'api',
    inputTokens: 1000,
    outputTokens: 100,
    amount: fromUsd(amount),
    pricedBy: 'source',
    ...rest,
  };
}
