import { z } from 'zod';
import type { NormalizedCost, SourceName } from '../services/ports/source.ts';

/**
 * Attribution: which raw source field answers "whose cost is this?".
 *
 * Each dimension (team, feature, environment, customer, workItem) is an ordered list of lookups; the
 * first one that yields a non-empty value wins. A lookup is a string `<kind>:<argument>`:
 *
 *   property:<key>   Helicone custom property (`Helicone-Property-<Key>` header): looked up in
 *                    `properties`, then `request_properties`; key matched case-insensitively.
 *   metadata:<key>   Langfuse observation metadata (in v1 merged over the trace's metadata);
 *                    key matched case-insensitively; numbers and booleans are taken as text.
 *   tag:<prefix>     Langfuse trace tag starting with <prefix> (case-insensitive); the value is the
 *                    rest of the tag, e.g. `tag:team:` turns the tag `team:search` into `search`.
 *   field:<name>     A top-level field of the raw record, e.g. `request_user_id`, `environment`,
 *                    `userId`, `sessionId`, `traceId`, `traceName`.
 *
 * DEFAULTS (override any dimension per source; omitted ones keep these):
 *
 *   Helicone  team        property:team
 *             feature     property:feature
 *             environment property:environment
 *             customer    property:customer, then field:request_user_id (the Helicone-User-Id header)
 *             workItem    property:ticket, property:work_item, then property:Helicone-Session-Id
 *   Langfuse  team        metadata:team, then tag:team:
 *             feature     metadata:feature, then tag:feature:
 *             environment field:environment (Langfuse's built-in environment)
 *             customer    field:userId
 *             workItem    metadata:ticket_id, then field:traceId
 *
 * Team and feature values are normalised to slugs (trimmed, lowercased, whitespace runs → "-") so
 * "Search Team" and "search-team" are one team. A record that maps to no team keeps team = null and
 * lands in the store's "unattributed" bucket; it is never dropped.
 */

const lookup = z.string().regex(/^(property|metadata|tag|field):.+$/, 'a lookup is "property:<key>", "metadata:<key>", "tag:<prefix>" or "field:<name>"');

export type Dimension = 'team' | 'feature' | 'environment' | 'customer' | 'workItem';
export type DimensionRules = Record<Dimension, string[]>;
export type Attribution = Pick<NormalizedCost, Dimension | 'teamName' | 'featureName'>;

export const DEFAULT_HELICONE_RULES: Readonly<DimensionRules> = Object.freeze({
  team: ['property:team'],
  feature: ['property:feature'],
  environment: ['property:environment'],
  customer: ['property:customer', 'field:request_user_id'],
  workItem: ['property:ticket', 'property:work_item', 'property:Helicone-Session-Id'],
});

export const DEFAULT_LANGFUSE_RULES: Readonly<DimensionRules> = Object.freeze({
  team: ['metadata:team', 'tag:team:'],
  feature: ['metadata:feature', 'tag:feature:'],
  environment: ['field:environment'],
  customer: ['field:userId'],
  workItem: ['metadata:ticket_id', 'field:traceId'],
});

function rulesSchema(defaults: Readonly<DimensionRules>) {
  return z
    .object({
      team: z.array(lookup).default([...defaults.team]),
      feature: z.array(lookup).default([...defaults.feature]),
      environment: z.array(lookup).default([...defaults.environment]),
      customer: z.array(lookup).default([...defaults.customer]),
      workItem: z.array(lookup).default([...defaults.workItem]),
    })
    .strict()
    .prefault({});
}

export const attributionConfigSchema = z
  .object({
    helicone: rulesSchema(DEFAULT_HELICONE_RULES),
    langfuse: rulesSchema(DEFAULT_LANGFUSE_RULES),
  })
  .strict();

export type AttributionConfig = z.output<typeof attributionConfigSchema>;

/** Validates a (partial) attribution config, filling every omitted dimension with its default. */
export function parseAttributionConfig(input: unknown = {}): AttributionConfig {
  return attributionConfigSchema.parse(input);
}

export const DEFAULT_ATTRIBUTION: AttributionConfig = parseAttributionConfig({});

function _rulesFor(config: AttributionConfig, source: SourceName): DimensionRules {
  return config[source];
}

/** The raw places a lookup can read, as each client exposes them. */
export interface AttributionInput {
  /** Top-level fields of the raw record. */
  fields: Record<string, unknown>;
  /** Property maps, searched in order (Helicone: `properties`, then `request_properties`). */
  properties?: ReadonlyArray<Record<string, unknown> | null | undefined>;
  metadata?: unknown;
  tags?: readonly string[] | null;
}

export function attribute(rules: DimensionRules, input: AttributionInput): Attribution {
  const resolve = (dimension: Dimension) => {
    for (const rule of rules[dimension]) {
      const value = evaluate(rule, input);
      if (value !== null) return value;
    }
    return null;
  };
  const team = resolve('team');
  const feature = resolve('feature');
  const teamSlug = slugify(team);
  const featureSlug = slugify(feature);
  return {
    team: teamSlug,
    // The tag as written becomes the display name when it is not already the slug.
    ...(team !== null && team !== teamSlug ? { teamName: team } : {}),
    feature: featureSlug,
    ...(feature !== null && feature !== featureSlug ? { featureName: feature } : {}),
    environment: resolve('environment'),
    customer: resolve('customer'),
    workItem: resolve('workItem'),
  };
}

/**
 * A slug every command accepts, from any tag: "  Search Team " → "search-team", "+1+1" → "1-1",
 * "=sum(a1:a9)" → "sum-a1-a9", "<!channel>" → "channel". Letters lose their accents; anything but
 * a-z, 0-9, "_" and "." becomes "-". A tag with nothing left (emoji, other scripts, "!!!") gets
 * "tag-" and a short hash of the tag, so it is still one stable, addressable team. At most 64 chars.
 * The tag itself is kept as the display name. Empty → null.
 */
export function slugify(value: string | null): string | null {
  if (value === null) return null;
  const trimmed = value.trim();
  if (trimmed === '') return null;
  const slug = trimmed
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9_.]+/g, '-')
    .replace(/^[-_.]+|[-_.]+$/g, '');
  if (slug === '') return `tag-${shortHash(trimmed)}`;
  return slug.length <= 64 ? slug : `${slug.slice(0, 55).replace(/[-_.]+$/, '')}-${shortHash(trimmed)}`;
}

/** FNV-1a, 32 bits, as 8 hex digits: stable across runs and processes. */
function shortHash(text: string): string {
  let h = 0x811c9dc5;
  for (const ch of text) {
    h ^= ch.codePointAt(0)!;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(16).padStart(8, '0');
}

function evaluate(rule: string, input: AttributionInput): string | null {
  const colon = rule.indexOf(':');
  const kind = rule.slice(0, colon);
  const arg = rule.slice(colon + 1);
  switch (kind) {
    case 'property':
      for (const map of input.properties ?? []) {
        const v = text(getCaseInsensitive(map, arg));
        if (v !== null) return v;
      }
      return null;
    case 'metadata':
      return text(getCaseInsensitive(input.metadata, arg));
    case 'tag': {
      const prefix = arg.toLowerCase();
      for (const tag of input.tags ?? []) {
        if (typeof tag === 'string' && tag.toLowerCase().startsWith(prefix)) {
          const v = text(tag.slice(prefix.length));
          if (v !== null) return v;
        }
      }
      return null;
    }
    case 'field':
      return text(input.fields[arg]);
    default:
      return null;
  }
}

function getCaseInsensitive(obj: unknown, key: string): unknown {
  if (!obj || typeof obj !== 'object' || Array.isArray(obj)) return undefined;
  const record = obj as Record<string, unknown>;
  if (Object.hasOwn(record, key)) return record[key];
  const lower = key.toLowerCase();
  for (const k of Object.keys(record)) if (k.toLowerCase() === lower) return record[k];
  return undefined;
}

/** A usable dimension value: non-empty trimmed text from a string, number or boolean. */
function text(value: unknown): string | null {
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (typeof value !== 'string') return null;
  const t = value.trim();
  return t === '' ? null : t;
}
