import type { WebClient } from '@slack/web-api';
import type { KnownBlock } from '@slack/types';
import type { ClaimsRepository } from '../services/ports/claims.ts';
import type { Money } from '../domain/money.ts';
import { sendWithFallback } from './block-fallback.ts';
import { fitBlocks } from './block-limits.ts';

export interface OncePost {
  /** Identifies the post for ever: the same key never posts twice. */
  key: string;
  channel: string;
  text: string;
  blocks?: KnownBlock[];
  threadTs?: string;
  /** A figure to remember with the post (e.g. the overrun it warned about). */
  amount?: Money;
}

/**
 * Posts a message exactly once per key: claim, post, record the ts. Slack has no idempotency key, so
 * the claim row is what stops a second replica, a restart or a re-run from posting again. If posting
 * fails the claim is released and the next run retries.
 */
export async function postOnce(client: WebClient, claims: ClaimsRepository, post: OncePost, now: Date): Promise<string | null> {
  if (!(await claims.claimPost(post.key, post.channel, now))) return null;
  try {
    const res = await sendWithFallback(post.blocks, (blocks) =>
      client.chat.postMessage({
        channel: post.channel,
        text: post.text,
        ...(blocks ? { blocks: fitBlocks(blocks, 'message') } : {}),
        ...(post.threadTs ? { thread_ts: post.threadTs } : {}),
        unfurl_links: false,
      }),
    );
    const ts = String(res.ts ?? '');
    await claims.postDone(post.key, ts, now, post.amount);
    return ts;
  } catch (err) {
    await claims.releasePost(post.key);
    throw err;
  }
}
