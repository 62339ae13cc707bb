/**
 * PostgreSQL advisory lock keys, one per purpose, named once (any number works; they must differ).
 * - migrations: replicas that start together migrate one at a time (session lock, src/db/migrate.ts);
 * - workItems: writers of the work-item day tables, and `aicost verify --repair`, take turns
 *   (transaction lock; also written into the statement triggers' SQL by src/db/rollups.ts).
 */
export const ADVISORY_LOCK = { migrations: 774411, workItems: 7263010 } as const;
