import { readFileSync } from 'node:fs';

/**
 * Source API response bodies this project wrote itself (test/fixtures/sources/, see its README):
 * invented values in the documented shapes, so client tests run in any clone. The conformance test
 * validates each of them against the vendors' OpenAPI documents.
 */
export const SOURCE_FIXTURES_DIR = new URL('../fixtures/sources/', import.meta.url);

export const SOURCE_FIXTURES = [
  'helicone-request-query-clickhouse.response.json',
  'helicone-error-500.response.json',
  'langfuse-observations-v2.response.json',
  'langfuse-observations-v1.response.json',
  'langfuse-traces.response.json',
] as const;

export type SourceFixture = (typeof SOURCE_FIXTURES)[number];

export function loadFixture(file: SourceFixture): unknown {
  return JSON.parse(readFileSync(new URL(file, SOURCE_FIXTURES_DIR), 'utf8')) as unknown;
}
