import type { Database } from '../client.ts';
import { isUniqueViolation } from '../errors.ts';

/** Slack signs a request for 5 minutes; keys are kept twice that long, then purged. */
export const REQUEST_KEY_TTL_MS = 10 * 60_000;

/**
 * Keys of Slack requests already handled, so a replay of the same signed request (within the
 * signature window, with or without x-slack-retry-num) does nothing twice. First insert wins.
 */
export function slackRequestsRepository(db: Database) {
  const { prisma } = db;
  let inserts = 0;
  return {
    /** True when this is the first time `key` is seen. */
    async firstTime(key: string, now: Date): Promise<boolean> {
      if (++inserts % 50 === 1) await prisma.slackRequestKey.deleteMany({ where: { at: { lt: new Date(now.getTime() - REQUEST_KEY_TTL_MS) } } });
      try {
        await prisma.slackRequestKey.create({ data: { key, at: now } });
        return true;
      } catch (err) {
        if (isUniqueViolation(err)) return false;
        throw err;
      }
    },
  };
}
