import type { Money } from '../../domain/money.ts';
/**
 * Run-once claims in the database, so several replicas, restarts and operator re-runs never repeat
 * work. A claim is a row with a unique key: the insert that wins does the work, the others lose.
 * (Not upsert, which reads then writes and lets two replicas both win.)
 */
/** How long a claimed slot belongs to its runner without a heartbeat before another run may take it over. */
export const SLOT_LEASE_MS = 5 * 60_000;

export interface ClaimsRepository {
  /** Claims a scheduled slot (`<job>:<slot ISO>`). */
  /** Claims a slot for `leaseMs` (default 5 minutes); an expired, unfinished claim can be taken over. */
  claimSlot(key: string, by: string, now?: Date, leaseMs?: number): Promise<boolean>;
  /** Gives a slot back at once after its run failed, so the next tick retries it. */
  failSlot(key: string): Promise<void>;
  /** Claimed slots under `prefix` whose lease ran out before they were done. */
  staleSlots(prefix: string, now: Date, leaseMs?: number, limit?: number): Promise<string[]>;
  /** The running job's heartbeat: renews the lease of a slot this worker holds; false when it is no longer ours. */
  renewSlot(key: string, by: string, now: Date): Promise<boolean>;
  slotDone(key: string, at: Date): Promise<void>;
  /**
   * Claims a post. A pending claim older than `staleAfterMs` (its poster crashed before posting) can be
   * taken over by exactly one later run, so a crash neither loses the post nor doubles it.
   */
  claimPost(key: string, channelId: string, now: Date, staleAfterMs?: number, payload?: string): Promise<boolean>;
  /**
   * Pending claims that carry their message (`payload`) and are older than `staleAfterMs`: posts whose
   * process died (or whose send failed) before they were posted, for the retry to send.
   */
  stalePosts(now: Date, staleAfterMs?: number, limit?: number): Promise<{ key: string; channelId: string; payload: string }[]>;
  /** Takes over a stale pending claim (exactly one caller wins). */
  retakePost(key: string, now: Date, staleAfterMs?: number): Promise<boolean>;
  postDone(key: string, messageTs: string, at: Date, amount?: Money): Promise<void>;
  /** Gives a claim back when posting failed, so the next run tries again. */
  releasePost(key: string): Promise<void>;
  findPost(key: string): Promise<{
    key: string;
    channelId: string;
    state: string;
    messageTs: string | null;
    amount: Money | null;
  } | null>;
  /** Posted claims whose key starts with `prefix`, newest first. */
  postsWithPrefix(prefix: string): Promise<
    {
      key: string;
      messageTs: string | null;
      amount: Money | null;
      postedAt: Date | null;
    }[]
  >;
}
