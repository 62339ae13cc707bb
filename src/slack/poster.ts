import type { WebClient } from '@slack/web-api';
import type { KnownBlock } from '@slack/types';
import { z } from 'zod';
import type { ClaimsRepository } from '../services/ports/claims.ts';
import { nanos, type Money } from '../domain/money.ts';
import { fromPortableMentions, portableMentions } from '../domain/mentions.ts';
import type { Logger } from '../logger.ts';
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

/** What a claim keeps of its message, so a claim left pending by a dead process can still be sent. */
function payloadOf(post: OncePost): string {
  // Mentions are per-process tokens (domain/mentions.ts): kept in a form the retrying process can read.
  return portableMentions(
    JSON.stringify({
      text: post.text,
      ...(post.blocks ? { blocks: post.blocks } : {}),
      ...(post.threadTs ? { threadTs: post.threadTs } : {}),
      ...(post.amount !== undefined ? { amount: String(post.amount) } : {}),
    }),
  );
}

const payloadSchema = z.object({
  text: z.string(),
  blocks: z.array(z.looseObject({ type: z.string() })).optional(),
  threadTs: z.string().optional(),
  amount: z
    .string()
    .regex(/^-?\d+$/)
    .optional(),
});

function readJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

async function send(client: WebClient, claims: ClaimsRepository, post: OncePost, now: Date): Promise<string> {
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
}

/**
 * Posts a message exactly once per key: claim (with the message), post, record the ts. Slack has no
 * idempotency key, so the claim row is what stops a second replica, a restart or a re-run from posting
 * again. If posting fails the claim is released and the next run retries; if the process dies between
 * the claim and the post, `retryStalePosts` sends the message the claim kept.
 */
export async function postOnce(client: WebClient, claims: ClaimsRepository, post: OncePost, now: Date): Promise<string | null> {
  if (!(await claims.claimPost(post.key, post.channel, now, undefined, payloadOf(post)))) return null;
  try {
    return await send(client, claims, post, now);
  } catch (err) {
    await claims.releasePost(post.key);
    throw err;
  }
}

/**
 * Posts several messages exactly once each, claiming all of them (with their messages) before sending
 * any: for posts made once by a one-off action (closing a month posts every team its line), so a crash
 * part-way leaves the rest pending for `retryStalePosts`, not never claimed. A send that fails stays
 * pending too (the action is not repeated, so releasing it would lose it); the first error is thrown
 * after the others were tried.
 */
export async function postAllOnce(client: WebClient, claims: ClaimsRepository, posts: OncePost[], now: Date): Promise<(string | null)[]> {
  const claimed: boolean[] = [];
  for (const post of posts) claimed.push(await claims.claimPost(post.key, post.channel, now, undefined, payloadOf(post)));
  const out: (string | null)[] = [];
  let failure: unknown = null;
  for (const [i, post] of posts.entries()) {
    if (!claimed[i]) {
      out.push(null);
      continue;
    }
    try {
      out.push(await send(client, claims, post, now));
    } catch (err) {
      failure ??= err;
      out.push(null);
    }
  }
  if (failure) throw failure;
  return out;
}

/**
 * Sends the posts whose claim stayed pending past its lease (the process died between claim and post, or
 * an all-at-once send failed): each is taken over by exactly one retry (a conditional update), sent, and
 * marked posted. Run by every process at start and every minute.
 */
export async function retryStalePosts(client: WebClient, claims: ClaimsRepository, now: Date, log: Logger): Promise<number> {
  let sent = 0;
  for (const stale of await claims.stalePosts(now)) {
    const parsed = payloadSchema.safeParse(readJson(fromPortableMentions(stale.payload)));
    if (!parsed.success) {
      log.warn({ key: stale.key }, 'pending post has an unreadable message; left pending');
      continue;
    }
    if (!(await claims.retakePost(stale.key, now))) continue;
    const p = parsed.data;
    const post: OncePost = {
      key: stale.key,
      channel: stale.channelId,
      text: p.text,
      ...(p.blocks ? { blocks: p.blocks as unknown as KnownBlock[] } : {}),
      ...(p.threadTs ? { threadTs: p.threadTs } : {}),
      ...(p.amount !== undefined ? { amount: nanos(p.amount) } : {}),
    };
    try {
      await send(client, claims, post, now);
      sent++;
      log.info({ key: stale.key }, 'pending post sent by the retry');
    } catch (err) {
      log.warn({ err, key: stale.key }, 'pending post failed again; retried after the next lease');
    }
  }
  return sent;
}
