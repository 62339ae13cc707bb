import { get } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { revenueRepository } from '../../src/db/repositories/revenue.ts';
import { nanos } from '../../src/domain/money.ts';
import { MAX_REVENUE_FILE_BYTES } from '../../src/slack/listeners/revenue-file.ts';
import { testProviders } from '../support/database.ts';
import { SIGNING_SECRET, startHarness, type Harness } from '../support/app-harness.ts';
import { eventCallbackEnvelope, newSlackTs } from '../support/slack-payloads.ts';
import { postSigned } from '../support/slack-signer.ts';
import type { RecordedCall } from '../support/slack-stand-in.ts';

/**
 * Issue 22 item 7: revenue files shared in the finance channel. The download is cut at the limit while it
 * streams, whatever size the file host declared; every CSV that cannot be read as a comma-separated
 * UTF-8 (or UTF-16 with a byte-order mark) file gets an answer saying why, and stores nothing; a large
 * file does not stop the bot answering /healthz while it is imported.
 */
const FINANCE = 'U0FINANCE';

describe.each(testProviders())('revenue files shared in Slack on %s', (provider) => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness(provider);
  }, 60_000);
  afterAll(async () => {
    await h?.stop();
  });

  type ShareOptions = { declaredSize?: number; streamBytes?: number };
  async function share(name: string, content: string | Buffer, opts: ShareOptions = {}): Promise<{ file: string; reply: Promise<RecordedCall> }> {
    const file = h.slack.shareFile({ name, content, user: FINANCE, channel: 'C0FINANCE', ...opts });
    const ts = newSlackTs();
    const event = {
      type: 'message',
      subtype: 'file_share',
      channel: 'C0FINANCE',
      channel_type: 'channel',
      user: FINANCE,
      ts,
      event_ts: ts,
      text: '',
      files: [{ id: file, name, filetype: 'csv' }],
    };
    const res = await postSigned(h.events, JSON.stringify(eventCallbackEnvelope(event)), { secret: SIGNING_SECRET, contentType: 'application/json' });
    expect(res.status).toBe(200);
    return { file, reply: h.slack.waitFor('chat.postMessage', (c) => c.args.thread_ts === ts, 60_000) };
  }
  const said = (c: RecordedCall) => `${String(c.args.text)} ${JSON.stringify(c.args.blocks)}`;
  const stored = (month: string) => h.db.db.prisma.revenue.count({ where: { month } });

  it('cuts a download at the limit as it streams when the host declares 1 KB and sends 300 MB', async () => {
    const { file, reply } = await share('revenue-lying.csv', 'acme,2026-07,10\n', { declaredSize: 1_000, streamBytes: 300_000_000 });
    const r = await reply;
    expect(said(r)).toContain('Revenue not imported');
    expect(said(r)).toContain('larger than 5 MB');
    // What the host managed to write before the bot hung up: the limit plus socket buffers, not 300 MB.
    expect(h.slack.fileBytesSent(file)).toBeLessThan(MAX_REVENUE_FILE_BYTES + 16_000_000);
    expect(await stored('2026-07')).toBe(0);
  }, 60_000);

  it('refuses a Windows-1252 file with the reason instead of storing garbled names', async () => {
    const { reply } = await share('revenue-1252.csv', Buffer.from('customer,month,revenue\nSociété Générale,2026-06,10\n', 'latin1'));
    const r = await reply;
    expect(said(r)).toContain('Revenue not imported');
    expect(said(r)).toContain('not UTF-8');
    expect(await stored('2026-06')).toBe(0);
  });

  it('imports a UTF-16 file with a byte-order mark, names intact', async () => {
    const text = 'customer,month,revenue\r\nSociété Générale,2026-05,10.50\r\n';
    const { reply } = await share('revenue-utf16.csv', Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]));
    expect(said(await reply)).toContain('Revenue imported');
    const rows = await h.db.db.prisma.revenue.findMany({ where: { month: '2026-05' } });
    expect(rows.map((x) => x.customer)).toEqual(['Société Générale']);
  });

  it('refuses a UTF-16 file without a byte-order mark with the reason', async () => {
    const { reply } = await share('revenue-utf16-nobom.csv', Buffer.from('customer,month,revenue\nacme,2026-04,10\n', 'utf16le'));
    const r = await reply;
    expect(said(r)).toContain('UTF-16');
    expect(said(r)).toContain('byte-order mark');
    expect(await stored('2026-04')).toBe(0);
  });

  it('refuses a ;-separated file with the reason', async () => {
    const { reply } = await share('revenue-semicolon.csv', 'customer;month;revenue\nacme;2026-03;12500,00\n');
    const r = await reply;
    expect(said(r)).toContain('Revenue not imported');
    expect(said(r)).toContain('semicolons');
    expect(await stored('2026-03')).toBe(0);
  });

  it('stores every field as given: amounts past 2^53 nanodollars, quotes, commas and braces in names, a plan or none', async () => {
    const at = new Date('2026-11-20T23:59:58.123Z');
    const rows = [
      { customer: 'acme', month: '2026-01', amount: nanos(9_007_199_254_740_993_123n), plan: 'pro' },
      { customer: `O'Brien, "Ltd" {a,b} \\ ☃`, month: '2026-01', amount: nanos(1n), plan: null },
      { customer: 'NULL', month: '2025-12', amount: nanos(0n), plan: '' },
    ];
    await revenueRepository(h.db.db).replaceMonths(rows, ['2026-01', '2025-12'], { importId: 'imp-exact', actor: FINANCE, at, source: 'test' });
    const stored = await h.db.db.prisma.revenue.findMany({ where: { importId: 'imp-exact' }, orderBy: { id: 'asc' } });
    expect(stored.map((r) => ({ customer: r.customer, month: r.month, amount: nanos(r.amount), plan: r.plan }))).toEqual(rows);
    expect(stored.map((r) => [r.importedAt.toISOString(), r.importedBy])).toEqual(rows.map(() => [at.toISOString(), FINANCE]));
  });

  it('keeps answering /healthz while a large file is imported', async () => {
    const rows = 150_000;
    const lines = ['customer,month,revenue'];
    for (let i = 0; i < rows; i++) lines.push(`c${i},2026-02,${(i % 997) + 1}.25`);
    const content = `${lines.join('\n')}\n`;
    expect(Buffer.byteLength(content)).toBeLessThan(MAX_REVENUE_FILE_BYTES);
    const { reply } = await share('revenue-large.csv', content);
    let done = false;
    const posted = reply.then((r) => {
      done = true;
      return r;
    });
    // /healthz asked one after another while the import runs: it must keep answering during it.
    let answeredDuringImport = 0;
    // A new connection each time (agent: false): a reused keep-alive socket can race the server closing it.
    const healthz = () =>
      new Promise<number>((resolve, reject) =>
        get(`${h.url}/healthz`, { agent: false }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        }).on('error', reject),
      );
    while (!done) {
      expect(await healthz()).toBe(200);
      if (!done) answeredDuringImport++;
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(said(await posted)).toContain('Revenue imported');
    expect(await stored('2026-02')).toBe(rows);
    expect(answeredDuringImport).toBeGreaterThanOrEqual(5);
  }, 120_000);
});
