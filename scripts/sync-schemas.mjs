// Writes prisma/postgres/schema.prisma from prisma/schema.prisma: same models, PostgreSQL provider.
// `--check` exits 1 when the PostgreSQL schema is out of date (used by the test suite).
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
export function postgresSchema(source) {
  return (
    '// GENERATED from prisma/schema.prisma by scripts/sync-schemas.mjs. Do not edit.\n' +
    source
      .replace('output     = "../src/generated/sqlite"', 'output     = "../../src/generated/postgres"')
      .replace('provider = "sqlite"', 'provider = "postgresql"')
      .replace('url      = "file:./placeholder.db"', 'url      = "postgresql://localhost/placeholder"')
  );
}
const target = join(root, 'prisma/postgres/schema.prisma');
const wanted = postgresSchema(readFileSync(join(root, 'prisma/schema.prisma'), 'utf8'));
if (process.argv.includes('--check')) {
  let current = '';
  try {
    current = readFileSync(target, 'utf8');
  } catch {}
  if (current !== wanted) {
    console.error('prisma/postgres/schema.prisma is stale: run node scripts/sync-schemas.mjs');
    process.exit(1);
  }
} else {
  mkdirSync(dirname(target), { recursive: true });
  writeFileSync(target, wanted);
}
