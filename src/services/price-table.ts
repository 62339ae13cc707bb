import type { Money } from '../domain/money.ts';

/**
 * The port the what-if and saving services price through (the adapter wraps the bundled
 * `@pydantic/genai-prices` table: src/sources/price-table.ts). Services never import `sources/`.
 */
export interface CallUsage {
  /** All input tokens, cache reads and writes included. */
  input: number;
  output: number;
  cacheRead: number;
  cacheWrite: number;
}

export interface KnownModel {
  /** The table's id for the model, e.g. "gpt-4o-mini". */
  modelId: string;
  providerId: string;
  /** The model family: the leading name of its id and its major version ("gpt-4", "claude-3", "o-3"). */
  family: string;
}

export interface PriceTable {
  /** What `usage` costs on `model` at the instant `at`, from the table; null when the table has no price for it then. */
  price(model: string, provider: string | null, usage: CallUsage, at: Date): Money | null;
  /**
   * What each call would cost on `model` at its own instant, summed; the UTC days on which the table has
   * no price for it are returned instead of a total (never counted as $0).
   */
  priceCalls(model: string, provider: string | null, calls: readonly { usage: CallUsage; at: Date }[]): { total: Money | null; missingDays: string[] };
  /** The table's own record of a model, or null when it does not know it. */
  identify(model: string, provider: string | null, at: Date): KnownModel | null;
  /** Text-generation models of the same provider and family the table lists (not deprecated), by table id. */
  familyModels(providerId: string, family: string): string[];
}
