import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { costWrites } from '../../src/db/repositories/cost-writes.ts';
import { addDays } from '../../src/domain/calendar.ts';
import { formatMoney, fromUsd, nanos } from '../../src/domain/money.ts';
import { dayStart } from '../../src/domain/periods.ts';
import { runClaimed } from '../../src/jobs/runner.ts';
import { testProviders } from '../support/database.ts';
import { startHarness, type Harness } from '../support/app-harness.ts';
import { recordSlack } from '../support/recording.ts';

const TZ = 'America/Los_Angeles';
const TODAY = '2026-11-18'; // a Wednesday; its 28 days of history hold the 25-hour day of 2026-11-01
/** Quiet nights, busy office hours, a moderate evening: per call, four calls an hour. */
const PER_CALL = (hour: number) => (hour < 8 ? 0.5 : hour < 18 ? 2 : 1);
const at = (day: string, hour: number, minute = 0) => new Date(dayStart(day, TZ).getTime() + (hour * 60 + minute) * 60_000);

describe.each(testProviders())('intraday bursts over signed HTTP on %s', (provider) => {
  let h: Harness;
  type Ids = { team: number; query: number; rerank: number };
  let search: Ids;
  /** A second team with the same burst later in the day (14:00–16:00), after the last intraday check. */
  let ads: Ids;
  let n = 0;
  /** Every seeded entry, to compute exact figures from. */
  let seeded: { occurredAt: Date; teamId: number; amount: bigint }[] = [];
  /** Four ordinary calls in each local hour of [fromHour, toHour) of `day` (a 25-hour day has its repeated hour twice). */
  function ordinary(ids: Ids, day: string, fromHour: number, toHour: number) {
    const rows = [];
    const start = dayStart(day, TZ).getTime();
    const end = Math.min(dayStart(addDays(day, 1), TZ).getTime(), at(day, toHour).getTime());
    const wobble = 1 + ((n % 7) - 3) / 60;
    for (let t = Math.max(start, at(day, fromHour).getTime()); t < end; t += 3600_000) {
      const hour = Number(new Intl.DateTimeFormat('en-US', { timeZone: TZ, hour: 'numeric', hourCycle: 'h23' }).format(new Date(t)));
      for (let c = 0; c < 4; c++)
        rows.push({
          source: 'seed',
          sourceId: `o${n++}`,
          occurredAt: new Date(t + c * 600_000),
          teamId: ids.team,
          featureId: c === 3 ? ids.rerank : ids.query,
          model: 'gpt-4o',
          customer: 'acme',
          amount: fromUsd((PER_CALL(hour) * wobble).toFixed(4)),
        });
    }
    return rows;
  }

  beforeAll(async () => {
    h = await startHarness(provider, { REPORT_TIMEZONE: TZ, SCHEDULER_ENABLED: 'false', VISIBILITY: 'open' });
    const make = async (slug: string, channelId: string): Promise<Ids> => {
      const t = await h.services.teams.upsert({ slug, name: slug, channelId, leadUserIds: ['U0LEAD'] });
      const q = await h.services.teams.upsertFeature({ slug: `${slug}-query`, name: 'Query', teamId: t.id });
      const r = await h.services.teams.upsertFeature({ slug: `${slug}-rerank`, name: 'Rerank', teamId: t.id });
      return { team: t.id, query: q.id, rerank: r.id };
    };
    search = await make('search', 'C0SEARCH');
    ads = await make('ads', 'C0ADS');
    const rows = [];
    for (const ids of [search, ads]) for (let d = 35; d >= 1; d--) rows.push(...ordinary(ids, addDays(TODAY, -d), 0, 24));
    rows.push(...ordinary(search, TODAY, 0, 12), ...ordinary(ads, TODAY, 0, 12));
    // A retry loop in rerank, $40 a call, two calls an hour ($160 against a usual $16 for those hours):
    // search's at 10:00–12:00, ads' at 14:00–16:00.
    for (const [ids, first] of [
      [search, 10],
      [ads, 14],
    ] as const)
      for (const hour of [first, first + 1])
        for (const minute of [5, 35])
          rows.push({
            source: 'seed',
            sourceId: `b${ids.team}-${hour}${minute}`,
            occurredAt: at(TODAY, hour, minute),
            teamId: ids.team,
            featureId: ids.rerank,
            model: 'gpt-4o',
            customer: 'acme',
            amount: fromUsd('40'),
          });
    seeded = rows;
    await costWrites(h.db.db).insertMany(rows);
  });
  afterAll(async () => {
    if (h) recordSlack(h.slack, `anomaly-burst-${provider}`);
    await h?.stop();
  });

  const teamPosts = () => h.slack.callsTo('chat.postMessage').filter((c) => c.args.channel === 'C0SEARCH');

  it('stays quiet on an ordinary morning', async () => {
    await h.services.anomalies.scanIntraday(at(TODAY, 9, 20));
    expect(teamPosts()).toHaveLength(0);
  });

  it('posts a burst once: the hours, their spend against the usual for those hours, and drivers that foot', async () => {
    await h.services.anomalies.scanIntraday(at(TODAY, 12, 20));
    const posts = teamPosts();
    expect(posts).toHaveLength(1);
    const text = JSON.stringify(posts[0]!.args.blocks);
    expect(text).toContain(`Spend burst in team search on ${TODAY}, 10:00–12:00`);
    expect(text).toMatch(/\*10:00–12:00\* \(America\/Los_Angeles\) spent \$17\d\.\d\d · \*usual for those hours\* \$1[56]\.\d\d/);
    // What the hours spent is the ledger's exact sum of them, to the cent.
    const spent = seeded
      .filter((r) => r.teamId === search.team && r.occurredAt >= at(TODAY, 10) && r.occurredAt < at(TODAY, 12))
      .reduce((a, r) => a + r.amount, 0n);
    expect(text).toContain(`spent ${formatMoney(nanos(spent))} ·`);
    expect(text).toMatch(/\*Impact\* \+?\$1[56]\d\.\d\d \(\+\d+%\) so far, \d+% of a usual whole day of \$1[12]\d\.\d\d/);
    expect(text).toMatch(/feature \*search-rerank\*: \+\$1[56]\d\.\d\d/);
    // The drivers foot against the same usual as the impact line: the features' Δ add up to the impact.
    const cents = (m: string) => Math.round(Number(m.replace(/[$,+]/g, '')) * 100);
    const impact = cents(/\*Impact\* (\+?-?\$[\d,]+\.\d\d)/.exec(text)![1]!);
    const deltas = [...text.matchAll(/feature \*search-(?:query|rerank)\*: ([+-]\$[\d,]+\.\d\d)/g)].map((m) => cents(m[1]!));
    expect(Math.abs(deltas.reduce((a, b) => a + b, 0) - impact)).toBeLessThanOrEqual(deltas.length);
    const [, delta, share] = /feature \*search-rerank\*: ([+-]\$[\d,]+\.\d\d) \((-?\d+)% of the change\)/.exec(text)!;
    expect(Number(share)).toBe(Math.round((100 * cents(delta!)) / impact));
    // The chart is per hour, the burst's two hours in red (a daily bar would hide them in the day's total).
    const image = (posts[0]!.args.blocks as { type: string; image_url?: string; alt_text?: string }[]).find((b) => b.type === 'image')!;
    expect(image.alt_text).toBe('team search: spend per hour, 10:00–12:00 marked');
    const chart = new URL(image.image_url!).searchParams.get('c')!;
    expect(chart).toContain('team search: spend per hour, last 36 hours (America/Los_Angeles)');
    const config = JSON.parse(chart.replace(/"callback":function\(v\)\{[^}]*\}/, '"callback":null')) as {
      data: { labels: string[]; datasets: { data: number[]; backgroundColor: string[] }[] };
    };
    const { labels, datasets } = config.data;
    expect(labels).toHaveLength(36);
    expect(labels.at(-1)).toBe('11'); // the last complete local hour at 12:20
    expect(labels.filter((_, i) => datasets[0]!.backgroundColor[i] === '#dc2626')).toEqual(['10', '11']);
    expect(Math.round(datasets[0]!.data.at(-1)! + datasets[0]!.data.at(-2)!)).toBe(Math.round(Number(/spent \$([\d,.]+)/.exec(text)![1]!.replace(',', ''))));
    // Re-runs after later syncs post nothing more.
    await h.services.anomalies.scanIntraday(at(TODAY, 12, 35));
    await h.services.anomalies.scanIntraday(at(TODAY, 13, 5));
    expect(teamPosts()).toHaveLength(1);
  });

  it('the daily scan of that day joins the incident instead of posting again; a burst it alone saw is posted', async () => {
    await costWrites(h.db.db).insertMany([...ordinary(search, TODAY, 12, 24), ...ordinary(ads, TODAY, 12, 24)]);
    const job = h.running.runtime.jobs.find((j) => j.name === 'anomalies')!;
    await runClaimed(job, h.running.runtime.jobDeps, at(addDays(TODAY, 1), 0, 30));
    // The daily rule alerts on such a day (ads, whose burst came after the last intraday check)…
    const adsPosts = h.slack.callsTo('chat.postMessage').filter((c) => c.args.channel === 'C0ADS');
    expect(adsPosts).toHaveLength(1);
    expect(String(adsPosts[0]!.args.text)).toMatch(new RegExp(`Spend spike in (team ads|feature ads-rerank) on ${TODAY}`));
    // Its band says what it is: where the day would not have alerted (it said "normal range $0.00 to $121.26" of a steady $28 series).
    expect(JSON.stringify(adsPosts[0]!.args.blocks)).toMatch(/\*expected\* \$[\d,.]+ \(no alert between \$[\d,.]+ and \$[\d,.]+\)/);
    // …but search's day is the incident its burst opened: no second post, one incident.
    expect(teamPosts()).toHaveLength(1);
    const list = await h.command('anomalies search');
    expect(JSON.stringify(list.reply.blocks).match(/2026-11-18/g)).toHaveLength(1);
  });
});
