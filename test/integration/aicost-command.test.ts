import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { costWrites } from '../../src/db/repositories/cost-writes.ts';
import { formatMoney, fromUsd, sum } from '../../src/domain/money.ts';
import { replyText } from '../../src/format/reply-lines.ts';
import { ask } from '../../src/format/ask.ts';
import { checkBlocks } from '../support/block-kit-check.ts';
import { testProviders } from '../support/database.ts';
import { postSigned, signRequest } from '../support/slack-signer.ts';
import { slashCommandBody } from '../support/slack-payloads.ts';
import { blocksText, SIGNING_SECRET, startHarness, type Harness } from '../support/app-harness.ts';

/** Fixed clock: the app answers as of 2026-11-20 12:00 in Europe/Berlin. */
const NOW = new Date('2026-11-20T11:00:00Z');

describe.each(testProviders())('/aicost over signed HTTP on %s', (provider) => {
  let h: Harness;
  const amounts = {
    payOct: ['12.345678', '0.0042', '1000'],
    payNov: ['3.50', '0.000001'],
    opsOct: ['250.75'],
    noneOct: ['9.99'],
  };

  beforeAll(async () => {
    h = await startHarness(provider, { REPORT_TIMEZONE: 'Europe/Berlin', VISIBILITY: 'open' }, () => NOW);
    const { teams } = h.services;
    const pay = await teams.upsert({ slug: 'payments', name: 'Payments', channelId: 'C0PAYMENTS', leadUserIds: ['U0PAYLEAD'] });
    const ops = await teams.upsert({ slug: 'ops', name: 'Ops' });
    const fraud = await teams.upsertFeature({ slug: 'fraud-check', name: 'Fraud check', teamId: pay.id });
    let n = 0;
    const entry = (teamId: number | null, at: string, amount: string, featureId: number | null = null) => ({
      source: 'seed',
      sourceId: String(++n),
      occurredAt: new Date(at),
      teamId,
      featureId,
      amount: fromUsd(amount),
      model: 'gpt-4o',
      customer: 'acme',
    });
    await costWrites(h.db.db).insertMany([
      // 2026-10-31T23:30Z is already November 1st in Berlin (UTC+1): it belongs to November.
      entry(pay.id, '2026-10-03T10:00:00Z', amounts.payOct[0]!, fraud.id),
      entry(pay.id, '2026-10-15T10:00:00Z', amounts.payOct[1]!, fraud.id),
      entry(pay.id, '2026-10-31T22:59:59.999Z', amounts.payOct[2]!),
      entry(pay.id, '2026-10-31T23:00:00Z', amounts.payNov[0]!),
      entry(pay.id, '2026-11-19T10:00:00Z', amounts.payNov[1]!),
      entry(ops.id, '2026-10-20T10:00:00Z', amounts.opsOct[0]!),
      entry(null, '2026-10-21T10:00:00Z', amounts.noneOct[0]!),
    ]);
  });
  afterAll(async () => h?.stop());

  const total = (xs: string[]) => sum(xs.map((x) => fromUsd(x)));

  it('answers /aicost team <slug> <month> with the exact total, privately, within limits', async () => {
    const { status, reply } = await h.command('team payments 2026-10');
    expect(status).toBe(200);
    expect(reply.response_type).toBe('ephemeral');
    const text = blocksText(reply.blocks);
    expect(formatMoney(total(amounts.payOct))).toBe('$1,012.35');
    expect(text).toContain('API spend: $1,012.35 across 3 calls');
    expect(text).toContain('fraud-check');
    expect(checkBlocks(reply.blocks ?? [], 'message')).toEqual([]);
    const image = reply.blocks?.find((b) => b.type === 'image') as { image_url: string } | undefined;
    expect(image?.image_url.startsWith('https://quickchart.example.test/chart?')).toBe(true);
    expect(image!.image_url.length).toBeLessThanOrEqual(3000);
  });

  it('ranks teams with unattributed spend and coverage', async () => {
    const { reply } = await h.command('top teams 2026-10');
    const text = blocksText(reply.blocks);
    const grand = total([...amounts.payOct, ...amounts.opsOct, ...amounts.noneOct]);
    expect(text).toContain(`API spend: ${formatMoney(grand)}`);
    expect(text).toMatch(/payments +\$1,012\.35/);
    expect(text).toMatch(/ops +\$250\.75/);
    expect(text).toMatch(/unattributed +\$9\.99/);
  });

  it('gives the same numbers as `aicost ask`', async () => {
    const { reply } = await h.command('top teams 2026-10', { userId: 'U0PAYLEAD' });
    const cli = replyText(
      (await ask(h.services.askDeps, { text: 'top teams 2026-10', userId: 'U0PAYLEAD', channelId: null, now: NOW })).reply,
      'Europe/Berlin',
    );
    for (const money of cli.match(/\$[\d,]+\.\d+/g) ?? []) expect(blocksText(reply.blocks)).toContain(money);
    expect(cli).toContain('$1,012.35');
  });

  it('answers a bare /aicost in a team channel with that team, month to date', async () => {
    const { reply } = await h.command('', { channelId: 'C0PAYMENTS' });
    const text = blocksText(reply.blocks);
    expect(text).toContain('Team Payments');
    expect(text).toContain('November 2026');
    expect(text).toContain(`API spend: ${formatMoney(total(amounts.payNov))} across 2 calls`);
  });

  it('posts in the channel only when asked to share', async () => {
    const { reply } = await h.command('team ops 2026-10 share');
    expect(reply.response_type).toBe('in_channel');
  });

  it('explains malformed text with examples, privately', async () => {
    for (const text of ['top planets', 'team payments someday', 'gibberish here']) {
      const { reply } = await h.command(text);
      expect(reply.response_type).toBe('ephemeral');
      expect(blocksText(reply.blocks)).toContain('did not understand');
      expect(blocksText(reply.blocks)).toMatch(/\/aicost (top|team)/);
    }
  });

  it('lists known teams, closest first, for an unknown team', async () => {
    const { reply } = await h.command('team paymnts');
    expect(blocksText(reply.blocks)).toContain('Known teams, closest first: payments, ops');
  });

  it('answers help', async () => {
    const { reply } = await h.command('help');
    expect(blocksText(reply.blocks)).toContain('/aicost top teams|features|models|customers');
  });

  it("shows finance's help whole: over Slack's 3,000 characters a section, it is split, not cut with …", async () => {
    const { reply } = await h.command('help', { userId: 'U0FINANCE' });
    const sections = (reply.blocks ?? []).flatMap((b) => (b.type === 'section' ? [(b as unknown as { text: { text: string } }).text.text] : []));
    expect(sections.join('\n').length).toBeGreaterThan(3000);
    for (const text of sections) {
      expect(text.length).toBeLessThanOrEqual(3000);
      expect(text.endsWith('…')).toBe(false);
    }
    // The last line of the help is there.
    expect(sections.join('\n')).toContain('/aicost help: every command with examples');
  });

  it('is idle only once the answers to the requests it took have been posted', async () => {
    const ids = ['idle-1', 'idle-2', 'idle-3'];
    const sent = await Promise.all(
      ids.map((id) => postSigned(h.events, slashCommandBody({ text: 'top teams 90d', responseUrl: h.slack.responseUrl(id) }), { secret: SIGNING_SECRET })),
    );
    expect(sent.map((r) => r.status)).toEqual([200, 200, 200]);
    await h.idle();
    // No waiting on the stand-in: the replies are already there.
    for (const id of ids) expect(h.slack.responses.filter((r) => r.url.endsWith(id))).toHaveLength(1);
  });

  it('rejects a bad signature and a stale timestamp with 401, and answers nothing', async () => {
    const before = h.slack.responses.length;
    const body = slashCommandBody({ text: 'top teams', responseUrl: h.slack.responseUrl('never') });
    const bad = await postSigned(h.events, body, { secret: 'not-the-secret' });
    expect(bad.status).toBe(401);
    const stale = await postSigned(h.events, body, { secret: SIGNING_SECRET, timestamp: Math.floor(Date.now() / 1000) - 6 * 60 });
    expect(stale.status).toBe(401);
    const headers = signRequest(SIGNING_SECRET, body);
    const tampered = await fetch(h.events, { method: 'POST', headers, body: body.replace('top', 'tip') });
    expect(tampered.status).toBe(401);
    await h.idle(); // every request sent has been handled: nothing more can come
    expect(h.slack.responses.length).toBe(before);
  });

  it('reports liveness, and readiness with the database reachable and migrated', async () => {
    const res = await fetch(`${h.url}/healthz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ok: true });
    const ready = await fetch(`${h.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ ok: true, database: 'reachable', migrations: 'applied' });
  });
});
