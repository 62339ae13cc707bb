import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv, type ValidateFunction } from 'ajv';
import { parse as parseYaml } from 'yaml';
import { sharedDir } from '../../support/shared-docs.ts';

/**
 * The two OpenAPI 3.0 documents as ajv validators. OpenAPI 3.0 schemas are not JSON Schema: `nullable`
 * is its own keyword (and appears beside `$ref`, where 3.0 says siblings are ignored but the intent is
 * "or null"), so each schema is rewritten to plain JSON Schema first: `type: T, nullable: true` →
 * `type: [T, "null"]` (null added to an `enum`), `$ref`/composition + nullable → `anyOf: [it, null]`.
 * Formats are not validated (ajv-formats is not a dependency); unknown keywords are ignored.
 */

/** The vendors' documents are third-party: they stay in the shared folder (see shared-docs.ts). */
const specsDir = () => join(sharedDir(), 'specs');

type Schema = Record<string, unknown>;

export interface OpenApiDoc {
  paths: Record<string, Record<string, { responses?: Record<string, { content?: Record<string, { schema?: Schema }> }> }>>;
  components: { schemas: Record<string, Schema> };
}

export function loadSpec(file: string): OpenApiDoc {
  const text = readFileSync(join(specsDir(), file), 'utf8');
  // The Langfuse document reuses nodes through YAML aliases, more than the yaml library allows by default.
  return (file.endsWith('.json') ? JSON.parse(text) : parseYaml(text, { maxAliasCount: -1 })) as OpenApiDoc;
}

export function loadSample(file: string): unknown {
  return JSON.parse(readFileSync(join(specsDir(), 'samples', file), 'utf8')) as unknown;
}

/** OpenAPI 3.0 schema → JSON Schema (draft-07), recursively. */
export function toJsonSchema(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(toJsonSchema);
  if (!node || typeof node !== 'object') return node;
  const src = node as Schema;
  const out: Schema = {};
  for (const [key, value] of Object.entries(src)) {
    if (key === 'nullable') continue;
    if (key === 'properties' || key === 'patternProperties' || key === 'definitions') {
      // A map of name → schema: the names are data, not keywords.
      out[key] = Object.fromEntries(Object.entries(value as Schema).map(([k, v]) => [k, toJsonSchema(v)]));
    } else if (['items', 'additionalProperties', 'not', 'allOf', 'anyOf', 'oneOf'].includes(key)) {
      out[key] = toJsonSchema(value);
    } else {
      out[key] = value;
    }
  }
  if (src.nullable !== true) return out;
  if (typeof out.type === 'string' && out.$ref === undefined) {
    out.type = [out.type, 'null'];
    if (Array.isArray(out.enum) && !out.enum.includes(null)) out.enum = [...out.enum, null];
    return out;
  }
  if (out.type === undefined && out.$ref === undefined && !out.allOf && !out.anyOf && !out.oneOf) return out; // any value
  return { anyOf: [out, { type: 'null' }] };
}

export class SpecValidator {
  private readonly ajv = new Ajv({ strict: false, validateFormats: false, allErrors: true });
  private readonly cache = new Map<string, ValidateFunction>();

  constructor(
    readonly doc: OpenApiDoc,
    private readonly id: string,
  ) {
    const schemas = Object.fromEntries(Object.entries(doc.components.schemas).map(([name, s]) => [name, toJsonSchema(s)]));
    this.ajv.addSchema({ $id: id, components: { schemas } });
  }

  /** The validator of `#/components/schemas/<name>`. */
  schema(name: string): ValidateFunction {
    let v = this.cache.get(name);
    if (!v) {
      if (!this.doc.components.schemas[name]) throw new Error(`${this.id}: no schema ${name}`);
      v = this.ajv.getSchema(`${this.id}#/components/schemas/${name}`);
      if (!v) throw new Error(`${this.id}: cannot compile ${name}`);
      this.cache.set(name, v);
    }
    return v;
  }

  /** The validator of an operation's documented JSON response for `status`. */
  response(method: string, path: string, status = '200'): ValidateFunction {
    const schema = this.doc.paths[path]?.[method]?.responses?.[status]?.content?.['application/json']?.schema;
    const ref = schema?.$ref;
    if (typeof ref !== 'string') throw new Error(`${this.id}: ${method} ${path} has no ${status} schema $ref`);
    return this.schema(ref.replace('#/components/schemas/', ''));
  }
}

/** Throws with ajv's errors when `value` does not match (so a test failure says why). */
export function assertValid(validate: ValidateFunction, value: unknown, what: string): void {
  if (!validate(value)) {
    throw new Error(`${what} does not match the spec:\n${JSON.stringify(validate.errors?.slice(0, 8), null, 2)}`);
  }
}
