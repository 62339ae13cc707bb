import type { App } from '@slack/bolt';
import { z } from 'zod';
import { decodeRevenueFile } from '../../domain/revenue-import.ts';
import type { Failure } from '../../domain/result.ts';
import { failureText } from '../../format/failure-text.ts';
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
 * names none of a revenue file's columns are ignored: the finance channel shares other spreadsheets too.
 * Every other CSV gets an answer: the download is cut at MAX_REVENUE_FILE_BYTES as it streams (whatever
 * files.info declared), and a file that is not UTF-8 (or UTF-16 with its byte-order mark) or is not
 * comma-separated is refused with the reason.
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

/** Whether the header names any revenue column, whatever the separator (the import then says what is wrong). */
const mentionsRevenue = (content: string) => {
  const header = (content.replace(/^\uFEFF/, '').split(/\r?\n/, 1)[0] ?? '')
    .toLowerCase()
    .split(/[,;\t]/)
    .map((h) => h.trim().replace(/^"|"$/g, ''));
  return ['customer', 'month', 'revenue'].some((c) => header.includes(c));
};

/**
 * The body, or null as soon as more than `max` bytes have arrived (the download is cancelled there):
 * the size files.info or content-length declare is not trusted, only what is actually received counts.
 */
async function readAtMost(res: Response, max: number): Promise<Uint8Array | null> {
  if (Number(res.headers.get('content-length') ?? 0) > max) {
    await res.body?.cancel();
    return null;
  }
  const chunks: Uint8Array[] = [];
  let total = 0;
  const reader = res.body?.getReader();
  if (!reader) return new Uint8Array();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > max) {
      await reader.cancel();
      return null;
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks, total);
}

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
      const refused = (failure: Failure): ReplyParts => ({
        title: 'Revenue not imported',
        summary: [`${name}: ${failureText(failure)}. Nothing was stored.`],
        tables: [],
        notes: [],
      });
      const tooLarge: Failure = { code: 'revenue.too-large', maxBytes: MAX_REVENUE_FILE_BYTES };
      if (info.file.size > MAX_REVENUE_FILE_BYTES) return refused(tooLarge);
      const url = info.file.url_private_download ?? info.file.url_private;
      if (!url || !allowedOrigins.has(new URL(url).origin)) throw new Error(`file ${fileId} has no Slack-hosted download URL`);
      const res = await fetch(url, { headers: { authorization: `Bearer ${context.botToken ?? ''}` }, redirect: 'error', signal: AbortSignal.timeout(30_000) });
      // Without access Slack answers with its HTML sign-in page, not an error status.
      if (!res.ok || /text\/html/i.test(res.headers.get('content-type') ?? '')) {
        await res.body?.cancel();
        throw new Error(`download of ${fileId} refused (${res.status})`);
      }
      const bytes = await readAtMost(res, MAX_REVENUE_FILE_BYTES);
      if (!bytes) return refused(tooLarge);
      const decoded = decodeRevenueFile(bytes);
      if (!decoded.ok) return refused(decoded.failure);
      if (!mentionsRevenue(decoded.text)) return null;
      return importParts(
        await deps.services.revenue.importCsv(decoded.text, { actor: e.data!.user, source: `Slack file ${name}`, now: deps.clock(), slackUser: true }),
      );
    }
  });
}
