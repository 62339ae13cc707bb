import type { Money } from '../domain/money.ts';

/**
 * What services need to tell people things. Services hand over notices (plain data, see notices.ts);
 * the Slack notifier (src/slack/notifier.ts) turns each notice into a message. `N` is the notices a
 * service emits, so a service can only emit its own.
 */
export interface Notifier<N> {
  post(channel: string, notice: N, threadTs?: string): Promise<string>;
  /** Posts at most once per key, across replicas and restarts (see slack/poster.ts). */
  postOnce(key: string, channel: string, notice: N, now: Date, opts?: { threadTs?: string; amount?: Money }): Promise<string | null>;
  /**
   * Several posts at most once each, all claimed before any is sent, for one-off actions (closing a
   * month): a crash part-way leaves the rest to the pending-post retry instead of never posting them.
   */
  postAllOnce(posts: { key: string; channel: string; notice: N }[], now: Date): Promise<(string | null)[]>;
  /** Replaces a posted message with the notice's current rendering. */
  update(channel: string, ts: string, notice: N): Promise<void>;
  /** A direct message to a user. */
  dm(userId: string, notice: N): Promise<void>;
  uploadFile(channel: string, file: { filename: string; content: Buffer | string; title?: string }, comment?: string, threadTs?: string): Promise<void>;
}
