import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { costWrites } from '../../src/db/repositories/cost-writes.ts';
import { fromUsd } from '../../src/domain/money.ts';
import { testProviders } from '../support/database.ts';
import { postSigned } from '../support/slack-signer.ts';
import { slashCommandBody, staticSelect, viewSubmissionBody } from '../support/slack-payloads.ts';
import { blocksText, SIGNING_SECRET, startHarness, type Harness } from '../support/app-harness.ts';

const FINANCE = 'U0FINANCE';
const LEAD = 'U0PAYLEAD';

describe.each(testProviders())('hidden costs, allocation and the iceberg over signed HTTP on %s', (provider) => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness(provider, { REPORT_TIMEZONE: 'UTC', SCHEDULER_ENABLED: 'false', VISIBILITY: 'open' }, () => new Date('2026-11-10T12:00:00Z'));
    const pay = await h.services.teams.upsert({ slug: 'payments', name: 'Payments', leadUserIds: [LEAD] });
    const search = await h.services.teams.upsert({ slug: 'search', name: 'Search', leadUserIds: ['U0SRCLEAD'] });
    await h.services.teams.upsert({ slug: 'growth', name: 'Growth' });
    const checkout = await h.services.teams.upsertFeature({ slug: 'checkout', name: 'Checkout', teamId: pay.id });
    let n = 0;
    const e = (teamId: number, featureId: number | null, amount: string, workItem: string) => ({
      source: 'seed',
      sourceId: `h${++n}`,
      occurredAt: new Date(`2026-10-${String(n + 1).padStart(2, '0')}T12:00:00Z`),
      teamId,
      featureId,
      amount: fromUsd(amount),
      workItem,
    });
    await costWrites(h.db.db).insertMany([
      e(pay.id, checkout.id, '40', 'T-1'),
      e(pay.id, checkout.id, '30', 'T-2'),
      e(pay.id, checkout.id, '20', 'T-3'),
      e(pay.id, checkout.id, '10', 'T-4'),
      e(pay.id, checkout.id, '0', 'T-4'),
      e(search.id, null, '300', 'S-1'),
    ]);
  });
  afterAll(async () => h?.stop());

  it("lets a lead add costs for their own team only; shared costs are finance's", async () => {
    const ok = await h.command('add 54 human_review once 2026-10-05 payments "QA review"', { userId: LEAD });
    expect(blocksText(ok.reply.blocks)).toMatch(/Added \$[\d,.]+ .*\(#\d+\)/);
    const other = await h.command('add 10 other once 2026-10-05 search', { userId: LEAD });
    expect(blocksText(other.reply.blocks)).toContain("Only Search's leads or finance");
    const shared = await h.command('add 100 vector_db monthly 2026-10 until 2026-10 shared even', { userId: LEAD });
    expect(blocksText(shared.reply.blocks)).toContain('Only finance can add shared costs');
    expect(await h.db.db.prisma.hiddenCost.count()).toBe(1);
  });

  it('splits a shared cost exactly and scales per-item costs with the reported work items', async () => {
    expect(blocksText((await h.command('add 100 vector_db monthly 2026-10 until 2026-10 shared even "Pinecone"', { userId: FINANCE })).reply.blocks)).toContain(
      'Added',
    );
    expect(blocksText((await h.command('add 4.50 human_review per-item 2026-10 checkout "5 min at $54/h"', { userId: LEAD })).reply.blocks)).toContain('Added');
    const { reply } = await h.command('feature checkout 2026-10');
    const text = blocksText(reply.blocks);
    // Direct $100 over 4 work items; per-item review 4 × $4.50 = $18; vector DB $100 even over 3 teams gives
    // payments $33.333333334 (the extra nanodollar goes to the lowest id), all of it on its only feature.
    expect(text).toMatch(/API spend +\$100\.00/);
    expect(text).toMatch(/Human review +\$18\.00/);
    expect(text).toMatch(/Shared \(allocated\) +\$33\.33/);
    expect(text).toMatch(/True cost +\$151\.33 +100%/);
    expect(text).toContain('Work items: 4');
    expect(text).toContain('true cost per work item: $37.83');
    const cost = await h.services.trueCost.periodCost(
      (await import('../../src/domain/periods.ts')).monthPeriod('2026-10', 'UTC'),
      new Date('2026-11-10T12:00:00Z'),
    );
    const allocated = [...cost.teams.values()].reduce((a, t) => a + t.allocated, 0n);
    expect(allocated).toBe(fromUsd('100'));
    expect(cost.teams.get((await h.services.teams.bySlug('payments'))!.id)!.allocated).toBe(33_333_333_334n);
  });

  it('shows hidden and allocated costs, labelled, in /aicost team', async () => {
    const text = blocksText((await h.command('team payments 2026-10')).reply.blocks);
    expect(text).toContain('API spend $100.00');
    expect(text).toContain('True cost: $205.33 = API spend $100.00 + hidden $72.00 (Human review $72.00) + allocated shared $33.33');
  });

  it('opens the form, and refuses bad amounts and dates field by field, saving nothing', async () => {
    await postSigned(h.events, slashCommandBody({ text: 'add', userId: LEAD, responseUrl: h.slack.responseUrl('form') }), { secret: SIGNING_SECRET });
    const open = await h.slack.waitFor('views.open');
    expect((open.args.view as { callback_id: string }).callback_id).toBe('hidden_cost_modal');
    const before = await h.db.db.prisma.hiddenCost.count();
    const res = await postSigned(
      h.events,
      viewSubmissionBody({
        callbackId: 'hidden_cost_modal',
        userId: LEAD,
        privateMetadata: JSON.stringify({ channelId: 'C0AICOSTS', entryId: null }),
        values: {
          amount: { value: '12.345' },
          category: { value: staticSelect('vector_db') },
          kind: { value: staticSelect('monthly') },
          target: { value: 'payments' },
          rule: { value: '' },
          date: { value: { type: 'datepicker', selected_date: null } },
          fromMonth: { value: '2026-13' },
          untilMonth: { value: '' },
          note: { value: '' },
        },
      }),
      { secret: SIGNING_SECRET },
    );
    expect(res.status).toBe(200);
    const body = (await res.json()) as { response_action: string; errors: Record<string, string> };
    expect(body.response_action).toBe('errors');
    expect(Object.keys(body.errors).sort()).toEqual(['amount', 'fromMonth']);
    expect(await h.db.db.prisma.hiddenCost.count()).toBe(before);
  });

  it('edits through the form with before and after in the audit log; only the author or finance may delete', async () => {
    const entry = await h.db.db.prisma.hiddenCost.findFirstOrThrow({ where: { category: 'human_review', kind: 'one_off' } });
    const res = await postSigned(
      h.events,
      viewSubmissionBody({
        callbackId: 'hidden_cost_modal',
        userId: LEAD,
        privateMetadata: JSON.stringify({ channelId: 'C0AICOSTS', entryId: entry.id }),
        values: {
          amount: { value: '60' },
          category: { value: staticSelect('human_review') },
          kind: { value: staticSelect('once') },
          target: { value: 'team:payments' },
          rule: { value: '' },
          date: { value: { type: 'datepicker', selected_date: '2026-10-06' } },
          fromMonth: { value: '' },
          untilMonth: { value: '' },
          note: { value: 'QA review, corrected' },
        },
      }),
      { secret: SIGNING_SECRET },
    );
    expect(res.status).toBe(200);
    await h.slack.waitFor('chat.postEphemeral');
    const audit = await h.db.db.prisma.auditLog.findFirstOrThrow({ where: { action: 'hidden_cost.update', entityId: String(entry.id) } });
    expect(audit.actor).toBe(LEAD);
    expect(JSON.parse(audit.before!)).toMatchObject({ amount: '54000000000', date: '2026-10-05' });
    expect(JSON.parse(audit.after!)).toMatchObject({ amount: '60000000000', date: '2026-10-06', note: 'QA review, corrected' });
    const refused = await h.command(`hidden delete ${entry.id}`, { userId: 'U0SRCLEAD' });
    expect(blocksText(refused.reply.blocks)).toContain('Only the author');
    const deleted = await h.command(`hidden delete ${entry.id}`, { userId: FINANCE });
    expect(blocksText(deleted.reply.blocks)).toContain(`Deleted hidden cost #${entry.id}`);
    expect(await h.db.db.prisma.auditLog.count({ where: { action: 'hidden_cost.delete', actor: FINANCE } })).toBe(1);
  });
});
