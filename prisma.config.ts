import { defineConfig } from 'prisma/config';
import { PrismaBetterSQLite3 } from '@prisma/adapter-better-sqlite3';

// Only used by the Prisma CLI (generate, migrate diff). At run time src/db/client.ts builds the adapter
// from DATABASE_URL, and src/db/migrate.ts applies migrations on both providers.
export default defineConfig({
  experimental: { adapter: true },
  engine: 'js',
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations' },
  adapter: async () => new PrismaBetterSQLite3({ url: 'file:./data/prisma-cli.db' }),
});
