import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { costWrites } from '../../src/db/repositories/cost-writes.ts';
import { fromUsd } from '../../src/domain/money.ts';
import { mergeRows } from '../../src/services/ports/billing-source.ts';
import { COMMANDS } from '../../src/commands/registry.ts';
import { testProviders } from '../support/database.ts';
import { startHarness, type Harness } from '../support/app-harness.ts';
import { recordSlack } from '../support/recording.ts';

/**
 * Who sees what, over signed HTTP: every verb × {finance, the team's lead, a member of another team, a
 * user in no team} × {`teams`, `open`}. In each cell nothing posted (text, blocks, chart URLs) may carry a
 * name, a slug the viewer did not type, or an amount of a team the viewer may not see; under `open` every
 * reader gets what `top` gives everyone: the teams' own figures.
 */
const FINANCE = 'U0FINANCE';
const ALPHA_LEAD = 'U0ALEAD';
const BRAVO_MEMBER = 'U0BMEM';
const NOBODY = 'U0NOBODY';
const NOW = new Date('2026-11-20T12:00:00Z');

interface Secret {
  slug: string;
  name: string;
  /** Figures only this team's rows carry: "$123.45" and, in chart URLs, "123.45". */
  amounts: string[];
  words: string[];
}
const TEAMS: Record<'alpha' | 'bravo' | 'charlie', Secret & { id?: number }> = {
  alpha: {
    slug: 'alpha',
    name: 'Alpha Squad',
    amounts: ['123.47', '12.39', '517.00', '44.43', '271.17'],
    words: ['alpha-chat', 'acme-corp', 'zebra-launch-secret', 'proj_alphasecret', 'alpha secret vendor'],
  },
  bravo: { slug: 'bravo', name: 'Bravo Crew', amounts: ['67.83', '5.61', '733.00'], words: ['bravo-search'] },
  charlie: { slug: 'charlie', name: 'Charlie Unit', amounts: ['41.19', '3.27', '911.00'], words: ['charlie-docs'] },
};

/** Every verb, read-only (changes are re-authorised in their services and tested where they are made). */
const COMMAND_TEXTS = [
  '',
  'last month',
  'team alpha 2026-10',
  'team bravo 2026-10',
  'team alpah',
  'top teams 2026-10',
  'top features 2026-10',
  'top models 2026-10',
  'top customers 2026-10',
  'feature alpha-chat 2026-10',
  'feature alpah-chat',
  'iceberg 2026-10',
  'iceberg alpha 2026-10',
  'hidden',
  'hidden alpha',
  'budget',
  'budget 2026-11',
  'budget alpha 2026-11',
  'request',
  'anomalies',
  'anomalies alpha',
  'chargeback 2026-10',
  'reconcile 2026-10',
  'margin 2026-10',
  'customer acme-corp 2026-10',
  'whatif alpha-chat gpt-4o-mini 2026-10',
  'sync',
  'import',
  'admin',
  'add 5',
  'help',
];

const VIEWERS = [FINANCE, ALPHA_LEAD, BRAVO_MEMBER, NOBODY] as const;
const seesUnderTeams: Record<(typeof VIEWERS)[number], (keyof typeof TEAMS)[]> = {
  [FINANCE]: ['alpha', 'bravo', 'charlie'],
  [ALPHA_LEAD]: ['alpha'],
  [BRAVO_MEMBER]: ['bravo'],
  [NOBODY]: [],
};

function leaks(everything: string, text: string, hidden: Secret[]): string[] {
  // What the viewer typed may be echoed back ("Team bravo is not one of your teams"): it is theirs.
  const typed = new Set(text.toLowerCase().split(/\s+/).filter(Boolean));
  const posted = [...typed].sort((a, b) => b.length - a.length).reduce((p, w) => p.split(w).join(' '), everything);
  const found: string[] = [];
  for (const t of hidden) {
    if (posted.includes(t.name)) found.push(t.name);
    if (!typed.has(t.slug) && new RegExp(`\\b${t.slug}\\b`).test(posted)) found.push(t.slug);
    for (const a of t.amounts) if (posted.includes(a)) found.push(a);
    for (const w of t.words) if (!typed.has(w) && posted.includes(w)) found.push(w);
  }
  return found;
}

async function seed(h: Harness): Promise<void> {
  const s = h.services;
  const alpha = await s.teams.upsert({ slug: 'alpha', name: 'Alpha Squad', channelId: 'C0ALPHA', leadUserIds: [ALPHA_LEAD] });
  const bravo = await s.teams.upsert({ slug: 'bravo', name: 'Bravo Crew', channelId: 'C0BRAVO', leadUserIds: ['U0BLEAD'], memberUserIds: [BRAVO_MEMBER] });
  const charlie = await s.teams.upsert({ slug: 'charlie', name: 'Charlie Unit' });
  const f = {
    alpha: await s.teams.upsertFeature({ slug: 'alpha-chat', name: 'Alpha chat', teamId: alpha.id }),
    bravo: await s.teams.upsertFeature({ slug: 'bravo-search', name: 'Bravo search', teamId: bravo.id }),
    charlie: await s.teams.upsertFeature({ slug: 'charlie-docs', name: 'Charlie docs', teamId: charlie.id }),
  };
  const row = (id: string, at: string, teamId: number | null, featureId: number | null, model: string, customer: string | null, usd: string) => ({
    source: 'helicone',
    sourceId: id,
    occurredAt: new Date(at),
    teamId,
    featureId,
    model,
    provider: model.startsWith('claude') ? 'anthropic' : 'openai',
    customer,
    inputTokens: 1000,
    outputTokens: 200,
    amount: fromUsd(usd),
  });
  await costWrites(s.db).insertMany([
    row('a10', '2026-10-15T12:00:00Z', alpha.id, f.alpha.id, 'gpt-4o', 'acme-corp', '123.47'),
    row('b10', '2026-10-15T12:00:00Z', bravo.id, f.bravo.id, 'claude-3-5-haiku', 'beta-inc', '67.83'),
    row('c10', '2026-10-15T12:00:00Z', charlie.id, f.charlie.id, 'gpt-4o-mini', 'gamma-llc', '41.19'),
    row('u10', '2026-10-15T12:00:00Z', null, null, 'gpt-4o', null, '10.00'),
    row('a11', '2026-11-10T12:00:00Z', alpha.id, f.alpha.id, 'gpt-4o', 'acme-corp', '12.39'),
    row('b11', '2026-11-10T12:00:00Z', bravo.id, f.bravo.id, 'claude-3-5-haiku', 'beta-inc', '5.61'),
    row('c11', '2026-11-10T12:00:00Z', charlie.id, f.charlie.id, 'gpt-4o-mini', 'gamma-llc', '3.27'),
    // Fractions of a cent: bravo $5.614 and charlie $3.274 each show as their own cents; folded together
    // they are $8.888, which rounded alone would be a cent more than the two figures finance sees.
    row('b12', '2026-11-11T12:00:00Z', bravo.id, f.bravo.id, 'claude-3-5-haiku', 'beta-inc', '0.004'),
    row('c12', '2026-11-11T12:00:00Z', charlie.id, f.charlie.id, 'gpt-4o-mini', 'gamma-llc', '0.004'),
  ]);
  // A provider bill for alpha's project, mapped by finance.
  await s.billing.replaceDays(
    [
      mergeRows('openai', '2026-10-15', [
        { scope: 'proj_alphasecret', lineItem: 'gpt-4o', amount: fromUsd('271.17') },
        { scope: 'proj_unmapped', lineItem: 'gpt-4o-mini', amount: fromUsd('29.29') },
      ]),
    ],
    NOW,
  );
  for (const c of [
    'budget set alpha 517 2026-11',
    'budget set bravo 733 2026-11',
    'budget set charlie 911 2026-11',
    'add 44.43 human_review monthly 2026-11 alpha "alpha secret vendor"',
    'admin map openai project proj_alphasecret alpha',
  ]) {
    const r = JSON.stringify((await h.command(c, { userId: FINANCE })).reply);
    expect(r, c).not.toMatch(/Not allowed|not understood|did not understand/i);
  }
  const req = JSON.stringify((await h.command('request 250 alpha zebra-launch-secret', { userId: ALPHA_LEAD })).reply);
  expect(req).toContain('Request sent');
  TEAMS.alpha.id = alpha.id;
}

describe.each(testProviders())('who sees what, every verb, on %s', (provider) => {
  for (const mode of ['teams', 'open'] as const) {
    describe(`VISIBILITY=${mode}`, () => {
      let h: Harness;
      beforeAll(async () => {
        h = await startHarness(provider, { REPORT_TIMEZONE: 'UTC', SCHEDULER_ENABLED: 'false', VISIBILITY: mode }, () => NOW);
        await seed(h);
      });
      afterAll(async () => h?.stop());

      it('covers every verb of the registry', () => {
        const verbs = new Set(COMMAND_TEXTS.map((t) => t.split(' ')[0]!));
        for (const c of COMMANDS) expect(verbs.has(c.verb) || (c.verb === '' && verbs.has('')), c.verb).toBe(true);
      });

      for (const viewer of VIEWERS) {
        it(`shows ${viewer} only the teams ${viewer} may see`, async () => {
          const hidden =
            mode === 'open' ? [] : (Object.keys(TEAMS) as (keyof typeof TEAMS)[]).filter((k) => !seesUnderTeams[viewer].includes(k)).map((k) => TEAMS[k]);
          const problems: string[] = [];
          for (const text of COMMAND_TEXTS) {
            const before = h.slack.calls.length;
            const { reply } = await h.command(text, { userId: viewer, channelId: 'C0BRAVO' });
            // Everything the command made Slack show: the reply, and anything else it posted.
            const posted = JSON.stringify(reply) + JSON.stringify(h.slack.calls.slice(before));
            const found = leaks(posted, text, hidden);
            if (found.length) problems.push(`${text || '(overview)'} → ${found.join(', ')}`);
          }
          expect(problems).toEqual([]);
        });
      }

      it('compares folded rows like with like: "other teams" against the same teams before, no phantom "Other"', async () => {
        const text = JSON.stringify((await h.command('', { userId: NOBODY })).reply.blocks);
        if (mode === 'teams') {
          // Nov 1–20 (12.39 + 5.61 + 3.27) against Oct 1–20 (123.47 + 67.83 + 41.19) of the same three teams.
          expect(text).toMatch(/other teams\s+\$21\.27\s+\S+\s+\S+\s+-\$211\.22/);
          expect(text).not.toMatch(/Other\s+\$0\.00/);
        } else expect(text).toMatch(/alpha\s+\$12\.39/);
      });

      it("shows every reader the organisation's API spend in the same cents (the folded row is the sum of the other teams' own figures)", async () => {
        const spend = async (text: string, userId: string) => /API spend:? \$([\d,.]+)/.exec(JSON.stringify((await h.command(text, { userId })).reply))?.[1];
        // Finance: alpha 12.39 + bravo 5.61 + charlie 3.27 = 21.27 (each team's own figure, as /aicost team shows).
        expect(await spend('top teams 2026-11', FINANCE)).toBe('21.27');
        for (const viewer of [ALPHA_LEAD, BRAVO_MEMBER, NOBODY]) expect(await spend('top teams 2026-11', viewer), viewer).toBe('21.27');
        expect(await spend('', NOBODY)).toBe(await spend('', FINANCE));
      });

      it('records what a member of another team is shown (for ../shared/tools/render-slack.py)', async () => {
        h.slack.reset();
        for (const text of ['', 'top models 2026-10', 'reconcile 2026-10', 'budget 2026-11', 'team alpah', 'help'])
          await h.command(text, { userId: BRAVO_MEMBER, channelId: 'C0BRAVO' });
        await h.command('', { userId: NOBODY });
        expect(h.slack.responses.length).toBe(7);
        recordSlack(h.slack, `visibility-${mode}-${provider}`);
      });

      it('answers a reader in no team what top answers them', async () => {
        const top = JSON.stringify((await h.command('top teams 2026-10', { userId: NOBODY })).reply);
        const reads = [
          'chargeback 2026-10',
          'budget',
          'budget alpha 2026-11',
          'reconcile 2026-10',
          'feature alpha-chat 2026-10',
          'whatif alpha-chat gpt-4o-mini 2026-10',
        ];
        for (const text of reads) {
          const reply = JSON.stringify((await h.command(text, { userId: NOBODY })).reply);
          if (mode === 'open') {
            // top shows alpha's row to everyone: so does every other read.
            expect(top).toContain('123.47');
            expect(reply, text).not.toMatch(/not one of your teams|not a lead or member/i);
            expect(reply, text).toMatch(/alpha/);
          } else {
            expect(top).not.toContain('123.47');
            expect(reply, text).not.toContain('Alpha Squad');
          }
        }
      });
    });
  }
});
