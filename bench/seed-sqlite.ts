import Sqlite from 'better-sqlite3';
import { sqlitePath } from '../src/db/client.ts';

/**
 * Writes `count` cost entries straight through better-sqlite3 in one transaction: the fastest way to
 * build a large database for a benchmark (what is measured is reading them, not this).
 * Entries are spread evenly over `days` days before `now`, across the given teams and features, with a
 * few percent unattributed.
 */
export function seedLargeSqlite(url: string, opts: { count: number; days: number; now: Date; teamIds: number[]; featureIds: number[]; source?: string }): void {
  const db = new Sqlite(sqlitePath(url));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = OFF');
  const insert = db.prepare(
    `INSERT INTO "CostEntry" ("source","sourceId","occurredAt","teamId","featureId","environment","customer","workItem","model","provider","category","inputTokens","outputTokens","amount","pricedBy","updatedAt")
     VALUES (?,?,?,?,?,?,?,?,?,?,'api',?,?,?,'source',?)`,
  );
  const models = ['gpt-4o', 'gpt-4o-mini', 'claude-3-5-sonnet', 'text-embedding-3-small'];
  const span = opts.days * 86_400_000;
  const start = opts.now.getTime() - span;
  const stamp = opts.now.toISOString().replace('Z', '+00:00');
  db.transaction(() => {
    for (let i = 0; i < opts.count; i++) {
      const at = new Date(start + Math.floor((i / opts.count) * span)).toISOString().replace('Z', '+00:00');
      const f = i % opts.featureIds.length;
      const unattributed = i % 29 === 0;
      insert.run(
        opts.source ?? 'bench', String(i), at,
        unattributed ? null : opts.teamIds[f % opts.teamIds.length]!, unattributed ? null : opts.featureIds[f]!,
        'production', `customer-${i % 50}`, `wi-${i % 5000}`, models[i % models.length]!, 'openai',
        500 + (i % 1000), 100 + (i % 300), BigInt(1000 + ((i * 7919) % 5_000_000)), stamp,
      );
    }
  })();
  db.close();
}
