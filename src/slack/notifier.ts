import type { WebClient } from '@slack/web-api';
import type { KnownBlock } from '@slack/types';
import type { ClaimsRepository } from '../services/ports/claims.ts';
import type { Notice, Notifier } from '../services/notices.ts';
import { anomalyBlocks } from './blocks/anomaly-blocks.ts';
import { decisionBlocks, forecastBlocks, overrunRequestBlocks, thresholdBlocks } from './blocks/budget-blocks.ts';
import { chargebackBlocks, teamLineBlocks } from './blocks/chargeback-blocks.ts';
import { fitBlocks } from './block-limits.ts';
import { sendWithFallback } from './block-fallback.ts';
import { postAllOnce, postOnce } from './poster.ts';
import { correctionBlocks, reconcileAlertBlocks } from './blocks/reconcile-blocks.ts';

export interface Rendered {
  text: string;
  blocks?: KnownBlock[];
}

/** One notice → one Slack message (fallback text and blocks). */
export function renderNotice(notice: Notice, opts: { quickchartUrl: string; timeZone: string }): Rendered {
  switch (notice.type) {
    case 'budget.threshold':
      return thresholdBlocks(notice);
    case 'budget.forecast':
      return forecastBlocks(notice);
    case 'budget.request':
      return overrunRequestBlocks(notice);
    case 'budget.decision':
      return decisionBlocks(notice);
    case 'anomaly.incident':
      return anomalyBlocks({ ...notice.post, incident: notice.incident, quickchartUrl: opts.quickchartUrl });
    case 'chargeback.draft':
      return chargebackBlocks(notice.chargeback, {
        quickchartUrl: opts.quickchartUrl,
        timeZone: opts.timeZone,
        draft: true,
        ...(notice.savings ? { savings: notice.savings } : {}),
      });
    case 'reconcile.alert':
      return reconcileAlertBlocks(notice.alert, notice.thresholdPct);
    case 'reconcile.correction':
      return correctionBlocks(notice);
    case 'chargeback.team-line':
      return teamLineBlocks(notice.line, notice.month);
  }
}

/** The Slack notifier: renders the services' notices and posts them over the Web API (exactly-once posts through poster.ts). */
export function slackNotifier(client: WebClient, claims: ClaimsRepository, opts: { quickchartUrl: string; timeZone: string }): Notifier<Notice> {
  const render = (n: Notice) => renderNotice(n, opts);
  return {
    async post(channel, notice, threadTs) {
      const { text, blocks } = render(notice);
      const res = await sendWithFallback(blocks, (b) =>
        client.chat.postMessage({
          channel,
          text,
          ...(b ? { blocks: fitBlocks(b, 'message') } : {}),
          ...(threadTs ? { thread_ts: threadTs } : {}),
          unfurl_links: false,
        }),
      );
      return String(res.ts);
    },
    postOnce(key, channel, notice, now, o = {}) {
      const { text, blocks } = render(notice);
      return postOnce(client, claims, { key, channel, text, ...(blocks ? { blocks } : {}), ...o }, now);
    },
    postAllOnce(posts, now) {
      return postAllOnce(
        client,
        claims,
        posts.map((p) => {
          const { text, blocks } = render(p.notice);
          return { key: p.key, channel: p.channel, text, ...(blocks ? { blocks } : {}) };
        }),
        now,
      );
    },
    async update(channel, ts, notice) {
      const { text, blocks } = render(notice);
      await sendWithFallback(blocks, (b) => client.chat.update({ channel, ts, text, ...(b ? { blocks: fitBlocks(b, 'message') } : { blocks: [] }) }));
    },
    async dm(userId, notice) {
      const { text, blocks } = render(notice);
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
