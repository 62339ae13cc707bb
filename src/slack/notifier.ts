import type { WebClient } from '@slack/web-api';
import type { KnownBlock } from '@slack/types';
import type { ClaimsRepository } from '../db/repositories/claims.ts';
import type { Money } from '../domain/money.ts';
import { fitBlocks } from './block-limits.ts';
import { sendWithFallback } from './block-fallback.ts';
import { postOnce } from './poster.ts';

/** What services need from Slack to tell people things; implemented over the Web API. */
export interface Notifier {
  post(channel: string, text: string, blocks?: KnownBlock[], threadTs?: string): Promise<string>;
  /** Posts at most once per key, across replicas and restarts (see postOnce). */
  postOnce(key: string, channel: string, text: string, blocks: KnownBlock[] | undefined, now: Date, opts?: { threadTs?: string; amount?: Money }): Promise<string | null>;
  update(channel: string, ts: string, text: string, blocks?: KnownBlock[]): Promise<void>;
  /** A direct message to a user. */
  dm(userId: string, text: string, blocks?: KnownBlock[]): Promise<void>;
  uploadFile(channel: string, file: { filename: string; content: Buffer | string; title?: string }, comment?: string, threadTs?: string): Promise<void>;
}

export function slackNotifier(client: WebClient, claims: ClaimsRepository): Notifier {
  return {
    async post(channel, text, blocks, threadTs) {
      const res = await sendWithFallback(blocks, (b) => client.chat.postMessage({ channel, text, ...(b ? { blocks: fitBlocks(b, 'message') } : {}), ...(threadTs ? { thread_ts: threadTs } : {}), unfurl_links: false }));
      return String(res.ts);
    },
    postOnce(key, channel, text, blocks, now, opts = {}) {
      return postOnce(client, claims, { key, channel, text, ...(blocks ? { blocks } : {}), ...opts }, now);
    },
    async update(channel, ts, text, blocks) {
      await sendWithFallback(blocks, (b) => client.chat.update({ channel, ts, text, ...(b ? { blocks: fitBlocks(b, 'message') } : { blocks: [] }) }));
    },
    async dm(userId, text, blocks) {
      const open = await client.conversations.open({ users: userId });
      const channel = open.channel?.id;
      if (!channel) throw new Error('conversations.open returned no channel');
      await sendWithFallback(blocks, (b) => client.chat.postMessage({ channel, text, ...(b ? { blocks: fitBlocks(b, 'message') } : {}) }));
    },
    async uploadFile(channel, file, comment, threadTs) {
      // The argument type is a union of destination shapes that spreads cannot narrow; this is the
      // channel (+ optional thread) shape.
      const args = {
        channel_id: channel,
        file: typeof file.content === 'string' ? Buffer.from(file.content, 'utf8') : file.content,
        filename: file.filename,
        title: file.title ?? file.filename,
        ...(comment ? { initial_comment: comment } : {}),
        ...(threadTs ? { thread_ts: threadTs } : {}),
      } as Parameters<WebClient['filesUploadV2']>[0];
      await client.filesUploadV2(args);
    },
  };
}
