import { writeFileSync } from 'node:fs';
import { migrationSql } from '../src/db/rollups.ts';

/** Writes the 0005_rollups migrations from the rollup definitions in src/db/rollups.ts (run once; the SQL is committed). */
writeFileSync('prisma/migrations/sqlite/0005_rollups/migration.sql', migrationSql('sqlite'));
writeFileSync('prisma/migrations/postgres/0005_rollups/migration.sql', migrationSql('postgresql'));
