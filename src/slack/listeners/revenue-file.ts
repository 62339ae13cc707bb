import type { App } from '@slack/bolt';
import { z } from 'zod';
import { importParts } from '../../format/margin-lines.ts';
import type { ReplyParts } from '../../format/reply-lines.ts';
import type { Logger } from '../../logger.ts';
import type { RevenueService } from '../../services/revenue-service.ts';
import { replyBlocks } from '../blocks/reply-blocks.ts';

/**
 * A revenue CSV shared in the finance channel is imported as `npx aicost import revenue` would, for the
 * user who shared it (finance only, re-checked by the service), and answered in the file's thread.
 * The file is read with files.info and its url_private with the bot token, which is only ever sent to
 * Slack's file host (or the configured Slack API's own origin, for proxies and tests). CSVs whose header
 * is not a revenue file's are ignored: the finance channel shares other spreadsheets too.
 */
export interface RevenueFileDeps {
  /** Only the services this listener uses. */
  services: { revenue: RevenueService; timeZone: string };
  financeChannelId: string;
  slackApiUrl?: string;
  quickchartUrl: string;
  log: Logger;
  clock: () => Date;
}

export const MAX_REVENUE_FILE_BYTES = 5_000_000;

const shareEvent = z.object({
  subtype: z.literal('file_share'),
  channel: z.string(),
  user: z.string(),
  ts: z.string(),
  files: z.array(z.object({ id: z.string(), name: z.string().optional(), filetype: z.string().optional() })).min(1),
});
const fileInfo = z.object({
  file: z.object({
    name: z.string().optional(),
    size: z.number().int().nonnegative(),
    url_private: z.string().url().optional(),
    url_private_download: z.string().url().optional(),
  }),
});

const looksLikeRevenue = (content: string) => {
  const header = (content.replace(/^\uFEFF/, '').split(/\r?\n/, 1)[0] ?? '')
    .toLowerCase()
    .split(',')
    .map((h) => h.trim().replace(/^"|"$/g, ''));
  return ['customer', 'month', 'revenue'].every((c) => header.includes(c));
};

export function registerRevenueFile(app: App, deps: RevenueFileDeps): void {
  const allowedOrigins = new Set(['https://files.slack.com', ...(deps.slackApiUrl ? [new URL(deps.slackApiUrl).origin] : [])]);

  app.event('message', async ({ event, client, context }) => {
    const e = shareEvent.safeParse(event);
    if (!e.success || e.data.channel !== deps.financeChannelId) return;
    const csvs = e.data.files.filter((f) => f.filetype === 'csv' || /\.csv$/i.test(f.name ?? ''));
    for (const f of csvs) {
      let parts: ReplyParts | null;
      try {
        parts = await importFile(f.id);
      } catch (err) {
        deps.log.error({ err, file: f.id }, 'revenue file import failed');
        parts = {
          title: 'Revenue not imported',
          summary: ['I could not read that file from Slack. Nothing was stored; try sharing it again, or use npx aicost import revenue FILE.csv.'],
          tables: [],
          notes: [],
        };
      }
      if (!parts) continue;
      const { text, blocks } = replyBlocks({ kind: 'message', parts }, { timeZone: deps.services.timeZone, quickchartUrl: deps.quickchartUrl });
      await client.chat.postMessage({ channel: e.data.channel, thread_ts: e.data.ts, text, blocks });
    }

    async function importFile(fileId: string): Promise<ReplyParts | null> {
      const info = fileInfo.parse(await client.files.info({ file: fileId }));
      const name = info.file.name ?? fileId;
      if (info.file.size > MAX_REVENUE_FILE_BYTES)
        return {
          title: 'Revenue not imported',
          summary: [`${name} is larger than ${MAX_REVENUE_FILE_BYTES / 1_000_000} MB; import it with npx aicost import revenue FILE.csv. Nothing was stored.`],
          tables: [],
          notes: [],
        };
      const url = info.file.url_private_download ?? info.file.url_private;
      if (!url || !allowedOrigins.has(new URL(url).origin)) throw new Error(`file ${fileId} has no Slack-hosted download URL`);
      const res = await fetch(url, { headers: { authorization: `Bearer ${context.botToken ?? ''}` }, redirect: 'error', signal: AbortSignal.timeout(15_000) });
      // Without access Slack answers with its HTML sign-in page, not an error status.
      if (!res.ok || /text\/html/i.test(res.headers.get('content-type') ?? '')) throw new Error(`download of ${fileId} refused (${res.status})`);
      const content = await res.text();
      if (!looksLikeRevenue(content)) return null;
      return importParts(
        await deps.services.revenue.importCsv(content, { actor: e.data!.user, source: `Slack file ${name}`, now: deps.clock(), slackUser: true }),
      );
    }
  });
}
