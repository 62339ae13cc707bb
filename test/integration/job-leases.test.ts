import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../../src/db/client.ts';
import { claimsRepository } from '../../src/db/repositories/claims.ts';
import { retryStaleSlots, runClaimed, slotKey, type JobDefinition } from '../../src/jobs/runner.ts';
import { createLogger } from '../../src/logger.ts';
import { createTestDatabase, testProviders, type TestDatabase } from '../support/database.ts';

/** Issue 23, item 3: a slot whose job runs longer than its lease is not taken over while it runs. */
describe.each(testProviders())('job leases with a heartbeat on %s', (provider) => {
  let db: TestDatabase;
  let other: Database;
  beforeAll(async () => {
    db = await createTestDatabase(provider);
    // A second replica: its own connection to the same database.
    other = openDatabase(db.url);
    // Warm both clients up (a cold client's first query takes long enough to age a short lease before it lands).
    for (const d of [db.db, other]) await claimsRepository(d).claimSlot('warm-up', 'test', new Date());
  });
  afterAll(async () => {
    await other?.close();
    await db?.destroy();
  });

  it('a slow job keeps its slot: another replica polling for stale slots never runs it twice', async () => {
    const leaseMs = 1200;
    const runs: string[] = [];
    const slow: JobDefinition<object> = {
      name: 'slow',
      cron: '* * * * *',
      description: 'a job that runs three leases long',
      async run(_deps, at) {
        runs.push(at.toISOString());
        await new Promise((r) => setTimeout(r, leaseMs * 3));
        return 'done';
      },
    };
    const log = createLogger('silent');
    const replicaA = { claims: claimsRepository(db.db), log };
    const replicaB = { claims: claimsRepository(other), log };
    const slot = new Date('2026-11-18T18:00:00Z');
    const first = runClaimed(slow, replicaA, slot, { leaseMs });
    let polling = true;
    const taken: boolean[] = [];
    const poll = (async () => {
      while (polling) {
        // What the other replica's scheduler tick does: retry stale slots of the job, then claim its own.
        for (const r of await retryStaleSlots(slow, replicaB, new Date(), { leaseMs })) taken.push(r.ok);
        taken.push((await runClaimed(slow, replicaB, slot, { leaseMs })).ran);
        await new Promise((r) => setTimeout(r, 50));
      }
    })();
    expect((await first).ran).toBe(true);
    polling = false;
    await poll;
    expect(runs).toHaveLength(1);
    expect(taken.filter(Boolean)).toEqual([]);
    const claim = await db.db.prisma.jobClaim.findUniqueOrThrow({ where: { key: slotKey('slow', slot) } });
    expect(claim.doneAt).not.toBeNull();
  }, 30_000);

  it('a slot whose runner stopped beating is still taken over once its lease expired', async () => {
    const leaseMs = 300;
    let runs = 0;
    const job: JobDefinition<object> = { name: 'dead', cron: '* * * * *', description: 'x', run: async () => `${++runs}` };
    const log = createLogger('silent');
    const slot = new Date('2026-11-18T18:00:00Z');
    await db.db.prisma.jobClaim.create({ data: { key: slotKey('dead', slot), claimedBy: 'dead-host:1', claimedAt: new Date() } });
    expect(await retryStaleSlots(job, { claims: claimsRepository(other), log }, new Date(), { leaseMs })).toEqual([]);
    await new Promise((r) => setTimeout(r, leaseMs + 50));
    expect(await retryStaleSlots(job, { claims: claimsRepository(other), log }, new Date(), { leaseMs })).toEqual([{ slot: slotKey('dead', slot), ok: true }]);
    expect(runs).toBe(1);
  });
});
