import type { Database } from '../client.ts';
import { isUniqueViolation } from '../errors.ts';
import { nanos, type Money } from '../../domain/money.ts';
import { SLOT_LEASE_MS, type ClaimsRepository } from '../../services/ports/claims.ts';

/**
 * Run-once claims in the database, so several replicas, restarts and operator re-runs never repeat
 * work. A claim is a row with a unique key: the insert that wins does the work, the others lose.
 * (Not upsert, which reads then writes and lets two replicas both win.)
 */

/** A pending post claim older than this belongs to a poster that died (or failed) and may be taken over. */
const POST_STALE_MS = 10 * 60_000;

export function claimsRepository(db: Database): ClaimsRepository {
  const { prisma } = db;
  return {
    /**
     * Claims a scheduled slot (`<job>:<slot ISO>`). A claim is a lease: one that is not done after
     * `leaseMs` (its run died) or that was given back by a failed run can be taken over by exactly one
     * later run (a conditional update), so a failed slot is retried and a running one is not doubled.
     */
    async claimSlot(key: string, by: string, now: Date = new Date(), leaseMs: number = SLOT_LEASE_MS): Promise<boolean> {
      try {
        await prisma.jobClaim.create({ data: { key, claimedBy: by, claimedAt: now } });
        return true;
      } catch (err) {
        if (!isUniqueViolation(err)) throw err;
      }
      const { count } = await prisma.jobClaim.updateMany({
        where: { key, doneAt: null, claimedAt: { lt: new Date(now.getTime() - leaseMs) } },
        data: { claimedAt: now, claimedBy: by },
      });
      return count === 1;
    },
    /** A run that failed gives its slot back at once (its lease is expired), keeping the row so the scheduler finds it. */
    async failSlot(key: string): Promise<void> {
      await prisma.jobClaim.updateMany({ where: { key, doneAt: null }, data: { claimedAt: new Date(0) } });
    },
    /** Slots of a job (`prefix` = "<job>:") claimed, not done, and past their lease: to be retried. */
    async staleSlots(prefix: string, now: Date, leaseMs: number = SLOT_LEASE_MS, limit = 10): Promise<string[]> {
      const rows = await prisma.jobClaim.findMany({
        where: { key: { startsWith: prefix }, doneAt: null, claimedAt: { lt: new Date(now.getTime() - leaseMs) } },
        orderBy: { key: 'asc' },
        take: limit,
        select: { key: true },
      });
      return rows.map((r) => r.key);
    },
    async renewSlot(key: string, by: string, now: Date): Promise<boolean> {
      const { count } = await prisma.jobClaim.updateMany({ where: { key, claimedBy: by, doneAt: null }, data: { claimedAt: now } });
      return count === 1;
    },
    async slotDone(key: string, at: Date): Promise<void> {
      await prisma.jobClaim.update({ where: { key }, data: { doneAt: at } });
    },

    /**
     * Claims a post. A pending claim older than `staleAfterMs` (its poster crashed before posting) can be
     * taken over by exactly one later run, so a crash neither loses the post nor doubles it.
     */
    async claimPost(key: string, channelId: string, now: Date, staleAfterMs = POST_STALE_MS, payload?: string): Promise<boolean> {
      try {
        await prisma.postClaim.create({ data: { key, channelId, claimedAt: now, ...(payload !== undefined ? { payload } : {}) } });
        return true;
      } catch (err) {
        if (!isUniqueViolation(err)) throw err;
      }
      const { count } = await prisma.postClaim.updateMany({
        where: { key, state: 'pending', claimedAt: { lt: new Date(now.getTime() - staleAfterMs) } },
        data: { claimedAt: now, ...(payload !== undefined ? { payload } : {}) },
      });
      return count === 1;
    },
    async stalePosts(now: Date, staleAfterMs = POST_STALE_MS, limit = 50): Promise<{ key: string; channelId: string; payload: string }[]> {
      const rows = await prisma.postClaim.findMany({
        where: { state: 'pending', payload: { not: null }, claimedAt: { lt: new Date(now.getTime() - staleAfterMs) } },
        orderBy: { claimedAt: 'asc' },
        take: limit,
        select: { key: true, channelId: true, payload: true },
      });
      return rows.map((r) => ({ key: r.key, channelId: r.channelId, payload: r.payload! }));
    },
    async retakePost(key: string, now: Date, staleAfterMs = POST_STALE_MS): Promise<boolean> {
      const { count } = await prisma.postClaim.updateMany({
        where: { key, state: 'pending', claimedAt: { lt: new Date(now.getTime() - staleAfterMs) } },
        data: { claimedAt: now },
      });
      return count === 1;
    },
    async postDone(key: string, messageTs: string, at: Date, amount?: Money): Promise<void> {
      await prisma.postClaim.update({ where: { key }, data: { state: 'posted', messageTs, postedAt: at, ...(amount !== undefined ? { amount } : {}) } });
    },
    /** Gives a claim back when posting failed, so the next run tries again. */
    async releasePost(key: string): Promise<void> {
      await prisma.postClaim.deleteMany({ where: { key, state: 'pending' } });
    },
    async findPost(key: string): Promise<{ key: string; channelId: string; state: string; messageTs: string | null; amount: Money | null } | null> {
      const r = await prisma.postClaim.findUnique({ where: { key }, select: { key: true, channelId: true, state: true, messageTs: true, amount: true } });
      return r && { ...r, amount: r.amount === null ? null : nanos(r.amount) };
    },
    /** Posted claims whose key starts with `prefix`, newest first. */
    async postsWithPrefix(prefix: string): Promise<{ key: string; messageTs: string | null; amount: Money | null; postedAt: Date | null }[]> {
      const rows = await prisma.postClaim.findMany({
        where: { key: { startsWith: prefix }, state: 'posted' },
        orderBy: { postedAt: 'desc' },
        select: { key: true, messageTs: true, amount: true, postedAt: true },
      });
      return rows.map((r) => ({ ...r, amount: r.amount === null ? null : nanos(r.amount) }));
    },
  };
}
