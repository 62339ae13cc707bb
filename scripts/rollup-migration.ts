import { writeFileSync } from 'node:fs';
import { migration0010Sql } from '../src/db/rollups.ts';

/**
 * Writes the 0010_work_item_days migrations from the definitions in src/db/rollups.ts and
 * src/db/work-items.ts (run once; the SQL is committed). 0005_rollups was written the same way.
 */
writeFileSync('prisma/migrations/sqlite/0010_work_item_days/migration.sql', migration0010Sql('sqlite'));
writeFileSync('prisma/migrations/postgres/0010_work_item_days/migration.sql', migration0010Sql('postgresql'));
