import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fromUsd } from '../../src/domain/money.ts';
import { testProviders } from '../support/database.ts';
import { postSigned } from '../support/slack-signer.ts';
import { blockActionsBody, staticSelect, viewSubmissionBody } from '../support/slack-payloads.ts';
import { blocksText, SIGNING_SECRET, startHarness, type Harness } from '../support/app-harness.ts';

/**
 * Issue 11, defects 3, 4, 7 and 9, as a hostile lead or a clumsy user would try them over signed HTTP:
 * a stale or forged edit form, ambiguous amounts and ids, changes to closed months, tampered buttons.
 */
const FINANCE = 'U0FINANCE';
const LEAD = 'U0PAYLEAD';
const NOW = new Date('2026-11-10T12:00:00Z');

describe.each(testProviders())('trust: forms, amounts, closed months and tampered payloads on %s', (provider) => {
  let h: Harness;
  let financeEntryId = 0;
  let seq = 0;
  const submitHidden = (userId: string, privateMetadata: string, values: Partial<Record<string, string | null>> = {}) => {
    const v = {
      amount: '0.01',
      category: 'vector_db',
      kind: 'once',
      target: 'payments',
      rule: '',
      date: '2026-11-05',
      fromMonth: '',
      untilMonth: '',
      note: 'mine now',
      ...values,
    };
    return postSigned(
      h.events,
      viewSubmissionBody({
        callbackId: 'hidden_cost_modal',
        userId,
        privateMetadata,
        values: {
          amount: { value: v.amount! },
          category: { value: staticSelect(v.category!) },
          kind: { value: staticSelect(v.kind!) },
          target: { value: v.target! },
          rule: { value: v.rule! },
          date: { value: { type: 'datepicker', selected_date: v.date || null } },
          fromMonth: { value: v.fromMonth! },
          untilMonth: { value: v.untilMonth! },
          note: { value: v.note! },
        },
      }),
      { secret: SIGNING_SECRET },
    );
  };
  const click = async (actionId: string, value: string, userId = FINANCE) => {
    const id = `click-${++seq}`;
    const res = await postSigned(h.events, blockActionsBody({ actionId, value, userId, channelId: 'C0FINANCE', responseUrl: h.slack.responseUrl(id) }), {
      secret: SIGNING_SECRET,
    });
    expect(res.status).toBe(200);
    return String((await h.slack.waitForResponse((r) => r.url.endsWith(id))).body.text);
  };

  beforeAll(async () => {
    h = await startHarness(provider, { REPORT_TIMEZONE: 'UTC', SCHEDULER_ENABLED: 'false' }, () => NOW);
    await h.services.teams.upsert({ slug: 'payments', name: 'Payments', leadUserIds: [LEAD] });
    await h.services.teams.upsert({ slug: 'support', name: 'Support', leadUserIds: ['U0SUPLEAD'] });
    const shared = await h.command('add 2800 vector_db monthly 2026-09 shared "Pinecone"', { userId: FINANCE });
    expect(blocksText(shared.reply.blocks)).toMatch(/Added \$2,800\.00 a month of vector DB.*\(#\d+\)/);
    financeEntryId = (await h.db.db.prisma.hiddenCost.findFirstOrThrow({ where: { author: FINANCE } })).id;
  });
  afterAll(async () => h?.stop());

  describe('defect 3: editing a hidden cost is re-authorised on submit', () => {
    it("refuses a lead's submit that names finance's entry in private_metadata, and changes nothing", async () => {
      const before = await h.db.db.prisma.hiddenCost.findUniqueOrThrow({ where: { id: financeEntryId } });
      const res = await submitHidden(LEAD, JSON.stringify({ channelId: 'C0AICOSTS', entryId: financeEntryId }));
      const body = (await res.json()) as { response_action: string; errors: Record<string, string> };
      expect(body.response_action).toBe('errors');
      expect(Object.values(body.errors).join(' ')).toContain(`Only the author of #${financeEntryId} or finance can edit it`);
      expect(await h.db.db.prisma.hiddenCost.findUniqueOrThrow({ where: { id: financeEntryId } })).toEqual(before);
      expect(await h.db.db.prisma.auditLog.count({ where: { action: 'hidden_cost.update' } })).toBe(0);
    });

    it('refuses an edit of an entry deleted meanwhile instead of resurrecting or creating one', async () => {
      const mine = await h.command('add 54 human_review once 2026-11-03 payments "QA"', { userId: LEAD });
      const id = Number(/#(\d+)/.exec(blocksText(mine.reply.blocks))![1]);
      await h.command(`hidden delete ${id}`, { userId: LEAD });
      const count = await h.db.db.prisma.hiddenCost.count();
      const body = (await (await submitHidden(LEAD, JSON.stringify({ channelId: 'C0AICOSTS', entryId: id }))).json()) as { errors: Record<string, string> };
      expect(Object.values(body.errors).join(' ')).toContain(`There is no hidden cost #${id}`);
      expect(await h.db.db.prisma.hiddenCost.count()).toBe(count);
    });
  });

  describe('defect 4: one amount parser, decimal ids', () => {
    it.each([
      ['budget set support 1,50', /commas only separate thousands/],
      ['budget set support 2,000,00', /commas only separate thousands/],
      ['budget set support 12.345', /more than 2 decimals/],
      ['budget set support 1000000000.01', /more than \$1,000,000,000\.00/],
      ['budget set support 99999999999999999999', /more than \$1,000,000,000\.00/],
      ['request 1,5 support more traffic', /commas only separate thousands/],
      ['request 10000000000 support more traffic', /more than \$1,000,000,000\.00/],
      ['admin adjust support -1,00 2026-10 credit', /commas only separate thousands/],
      ['add 1,50 other once 2026-11-05 support', /commas only separate thousands/],
      ['add 2000000000 other once 2026-11-05 support', /more than \$1,000,000,000\.00/],
    ])('`%s` is refused with a clear reason and changes nothing', async (text, reason) => {
      const counts = async () => [
        await h.db.db.prisma.budget.count(),
        await h.db.db.prisma.overrunRequest.count(),
        await h.db.db.prisma.adjustment.count(),
        await h.db.db.prisma.hiddenCost.count(),
      ];
      const before = await counts();
      const { reply } = await h.command(text, { userId: FINANCE });
      expect(blocksText(reply.blocks)).toMatch(reason);
      expect(await counts()).toEqual(before);
    });

    it('reads commas as thousands separators everywhere', async () => {
      const { reply } = await h.command('budget set support 1,500', { userId: FINANCE });
      expect(blocksText(reply.blocks)).toContain('is now $1,500.00');
      const row = await h.db.db.prisma.budget.findFirstOrThrow({ where: { team: { slug: 'support' } } });
      expect(row.amount).toBe(fromUsd('1500'));
    });

    it('refuses "2,000,00" in the Approve-another-amount form', async () => {
      const req = await h.command('request 250 payments launch week', { userId: LEAD });
      expect(blocksText(req.reply.blocks)).toContain('is with finance');
      const r = await h.db.db.prisma.overrunRequest.findFirstOrThrow({ where: { status: 'pending' } });
      const res = await postSigned(
        h.events,
        viewSubmissionBody({
          callbackId: 'overrun_approve_other_modal',
          userId: FINANCE,
          privateMetadata: JSON.stringify({ requestId: r.id, messageTs: null, channelId: 'C0FINANCE' }),
          values: { amount: { value: '2,000,00' }, reason: { value: 'ok' } },
        }),
        { secret: SIGNING_SECRET },
      );
      const body = (await res.json()) as { response_action: string; errors: Record<string, string> };
      expect(body.errors.amount).toMatch(/commas only separate thousands/);
      expect((await h.db.db.prisma.overrunRequest.findUniqueOrThrow({ where: { id: r.id } })).status).toBe('pending');
    });

    it.each(['0x7', '1e3', '-1', '1.0', '99999999999', '9007199254740993'])('`hidden delete %s` is not an entry number', async (id) => {
      const { reply } = await h.command(`hidden delete ${id}`, { userId: FINANCE });
      expect(blocksText(reply.blocks)).toContain('needs the entry number');
      expect(await h.db.db.prisma.hiddenCost.count({ where: { deletedAt: { not: null } } })).toBe(1);
    });
  });

  describe('defect 7: closed months are immutable on every path', () => {
    beforeAll(async () => {
      const r = await h.services.chargeback.transition('2026-10', 'close', FINANCE, NOW);
      expect(r.ok).toBe(true);
    });

    it('refuses a hidden cost dated in a closed month, from the command and from the form', async () => {
      const before = await h.db.db.prisma.hiddenCost.count();
      const { reply } = await h.command('add 5000 human_review once 2026-10-15 payments "late"', { userId: LEAD });
      expect(blocksText(reply.blocks)).toContain('2026-10 is closed');
      const body = (await (
        await submitHidden(LEAD, JSON.stringify({ channelId: 'C0AICOSTS', entryId: null }), { amount: '5000', date: '2026-10-15' })
      ).json()) as { errors: Record<string, string> };
      expect(Object.values(body.errors).join(' ')).toContain('2026-10 is closed');
      expect(await h.db.db.prisma.hiddenCost.count()).toBe(before);
    });

    it('refuses editing or deleting an entry that charges a closed month, but lets finance end it', async () => {
      const before = await h.db.db.prisma.hiddenCost.findUniqueOrThrow({ where: { id: financeEntryId } });
      const meta = JSON.stringify({ channelId: 'C0AICOSTS', entryId: financeEntryId });
      const edit = (await (
        await submitHidden(FINANCE, meta, { amount: '0.01', kind: 'monthly', target: 'shared', date: '', fromMonth: '2026-09' })
      ).json()) as { errors: Record<string, string> };
      expect(Object.values(edit.errors).join(' ')).toContain('2026-10 is closed');
      const del = await h.command(`hidden delete ${financeEntryId}`, { userId: FINANCE });
      expect(blocksText(del.reply.blocks)).toContain('2026-10 is closed');
      expect(await h.db.db.prisma.hiddenCost.findUniqueOrThrow({ where: { id: financeEntryId } })).toEqual(before);
      // Ending it after the closed month leaves 2026-09 and 2026-10 as they were: allowed.
      const end = await submitHidden(FINANCE, meta, {
        amount: '2800',
        kind: 'monthly',
        target: 'shared',
        date: '',
        fromMonth: '2026-09',
        untilMonth: '2026-11',
        note: 'Pinecone',
      });
      expect(end.status).toBe(200);
      expect(await end.text()).toBe('');
      expect((await h.db.db.prisma.hiddenCost.findUniqueOrThrow({ where: { id: financeEntryId } })).untilMonth).toBe('2026-11');
    });

    it("refuses a closed month's budget, and approving a request of a closed month", async () => {
      const { reply } = await h.command('budget set payments 9000 2026-10', { userId: FINANCE });
      expect(blocksText(reply.blocks)).toContain('2026-10 is closed: its budget no longer changes');
      expect(await h.db.db.prisma.budget.count({ where: { month: '2026-10' } })).toBe(0);
      const team = await h.services.teams.bySlug('payments');
      const req = await h.db.db.prisma.overrunRequest.create({
        data: {
          teamId: team!.id,
          month: '2026-10',
          amount: fromUsd('100'),
          reason: 'late',
          requestedBy: LEAD,
          automatic: false,
          status: 'pending',
          createdAt: NOW,
        },
      });
      const text = await click('overrun_approve', String(req.id));
      expect(text).toContain('2026-10 is closed');
      expect((await h.db.db.prisma.overrunRequest.findUniqueOrThrow({ where: { id: req.id } })).status).toBe('pending');
    });
  });

  describe('defect 9: tampered button values and metadata get a clear answer and change nothing', () => {
    it.each([
      ['period_close', '2026-13'],
      ['period_finalize', 'abc'],
      ['overrun_approve', 'abc'],
      ['overrun_deny', '1e3'],
      ['overrun_approve_other', '-4'],
      ['anomaly_feedback_planned', '99999999999:planned'],
      ['anomaly_feedback_planned', '1:drop-table'],
    ])('%s with value %s', async (actionId, value) => {
      const audits = await h.db.db.prisma.auditLog.count();
      const text = await click(actionId, value);
      expect(text).toContain('did nothing');
      expect(await h.db.db.prisma.auditLog.count()).toBe(audits);
    });

    it.each(['not json', '{"requestId":"1"}', '{"requestId":1,"channelId":"<!channel>"}'])('the Approve-another-amount form with metadata %s', async (meta) => {
      const res = await postSigned(
        h.events,
        viewSubmissionBody({
          callbackId: 'overrun_approve_other_modal',
          userId: FINANCE,
          privateMetadata: meta,
          values: { amount: { value: '100' }, reason: { value: 'x' } },
        }),
        { secret: SIGNING_SECRET },
      );
      const body = (await res.json()) as { response_action: string; errors: Record<string, string> };
      expect(body.errors.amount).toContain('nothing was saved');
    });

    it.each(['not json', '{"entryId":"7"}', '{"entryId":1.5}', '{"entryId":-1}'])('the hidden-cost form with metadata %s saves nothing', async (meta) => {
      const before = await h.db.db.prisma.hiddenCost.count();
      const body = (await (await submitHidden(FINANCE, meta)).json()) as { errors: Record<string, string> };
      expect(body.errors.amount).toContain('nothing was saved');
      expect(await h.db.db.prisma.hiddenCost.count()).toBe(before);
    });
  });
});
