import { generateSync } from 'json-schema-faker';
import { expect } from 'vitest';
import { seededRandom } from '../../src/demo/prng.ts';
import { SpecValidator, loadSpec, toJsonSchema } from '../unit/sources/openapi.ts';

export type Pick = <T>(xs: readonly T[]) => T;

/**
 * `count` instances of a component schema of a vendor's OpenAPI document (in the shared folder),
 * generated from the document itself (json-schema-faker, seeded, so every run serves the same), then
 * steered by `steer` (e.g. dated into the window a test syncs). Each is checked against the document
 * after steering: what a test serves is always something the vendor's contract allows.
 */
export function generatedFromSpec(
  file: string,
  schema: string,
  count: number,
  steer: (row: Record<string, unknown>, i: number, pick: Pick) => void = () => {},
  seed = 2026,
): Record<string, unknown>[] {
  const doc = loadSpec(file);
  const schemas = Object.fromEntries(Object.entries(doc.components.schemas).map(([n, s]) => [n, toJsonSchema(s)]));
  const root = { $ref: `#/components/schemas/${schema}`, components: { schemas } };
  const r = seededRandom(seed);
  const pick: Pick = (xs) => xs[Math.floor(r() * xs.length)]!;
  const rows = Array.from({ length: count }, (_, i) => {
    const row = generateSync(root as never, { seed: seed * 1000 + i, maxDepth: 3 } as never) as Record<string, unknown>;
    steer(row, i, pick);
    return row;
  });
  const valid = new SpecValidator(doc, file).schema(schema);
  for (const row of rows) expect(valid(row), JSON.stringify(valid.errors?.slice(0, 3))).toBe(true);
  return rows;
}
