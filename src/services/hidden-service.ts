import type { HiddenCostsRepository, HiddenCostListing } from './ports/hidden-costs.ts';
import { visibleTeams, type Viewer } from './visibility.ts';
import type { TeamRecord, TeamsRepository } from './ports/teams.ts';
import { resolveDraft, type HiddenCostDraft } from '../domain/hidden-cost-drafts.ts';
import type { NewHiddenCost } from '../domain/hidden-costs.ts';
import { parseAddCommand } from '../domain/input/add-command-text.ts';
import type { AddContext } from '../domain/input/hidden-cost-fields.ts';
import { validateHiddenCostInput, type HiddenCostField, type HiddenCostFields } from '../domain/input/hidden-cost-form.ts';
import { describeRule } from '../domain/allocation.ts';
import { formatMoney } from '../domain/money.ts';
import { lockedMonthTouched } from '../domain/hidden-costs.ts';
import type { PeriodsRepository } from './ports/periods.ts';
import type { Authz } from './authz.ts';
import { targetText } from '../domain/input/hidden-target-text.ts';
import type { Failure, FieldFailures } from '../domain/result.ts';

/**
 * Entering hidden costs. Team leads add and change entries for their own teams (and those teams'
 * features), finance for anyone; shared costs are finance's. The author of an entry may edit or delete
 * it, and so may finance. Every change is audited by the repository.
 */
export type HiddenOutcome =
  | { ok: true; entry: HiddenCostListing; message: string }
  | { ok: false; failure: Failure; examples?: string[] }
  | { ok: false; fields: FieldFailures<HiddenCostField> };

export function hiddenService(deps: {
  hidden: HiddenCostsRepository;
  teams: TeamsRepository;
  authz: Authz;
  timeZone: string;
  periods?: Pick<PeriodsRepository, 'locked'>;
}) {
  const { hidden, teams, authz, timeZone } = deps;

  /**
   * Closed and finalized months are immutable (docs/trust.md, "Closed months"): a change that would alter what
   * such a month is charged is refused, naming the month and its state. Ending a recurring entry
   * (until month) or changing it from the first open month on is allowed.
   */
  async function lockedRefusal(before: NewHiddenCost | null, after: NewHiddenCost | null, verb: 'add' | 'edit' | 'delete'): Promise<Failure | null> {
    const locked = (await deps.periods?.locked()) ?? [];
    const month = lockedMonthTouched(
      before,
      after,
      locked.map((p) => p.month),
    );
    if (month === null) return null;
    const state = locked.find((p) => p.month === month)!.status;
    const recurring = (after ?? before)!.kind !== 'one_off';
    return { code: 'hidden.month-locked', month, state, verb, changes: before !== null && after !== null, recurring };
  }

  async function context(now: Date): Promise<AddContext & { teamList: TeamRecord[]; featureList: Awaited<ReturnType<TeamsRepository['listFeatures']>> }> {
    const [teamList, featureList, categories] = await Promise.all([teams.list(), teams.listFeatures(), hidden.categories()]);
    return { now, timeZone, knownTeams: teamList.map((t) => t.slug), knownFeatures: featureList.map((f) => f.slug), categories, teamList, featureList };
  }

  /** The teams an entry charges, to decide who may write it (null: shared, finance only). */
  function owningTeams(cost: NewHiddenCost, teamList: TeamRecord[], featureList: { id: number; teamId: number | null }[]): TeamRecord[] | null {
    const t = cost.target;
    if (t.type === 'shared') return null;
    const teamId = t.type === 'team' ? t.teamId : (featureList.find((f) => f.id === t.featureId)?.teamId ?? null);
    return teamList.filter((x) => x.id === teamId);
  }

  async function mayWrite(userId: string, cost: NewHiddenCost, ctx: Awaited<ReturnType<typeof context>>): Promise<Failure | null> {
    if (await authz.isFinance(userId)) return null;
    const owners = owningTeams(cost, ctx.teamList, ctx.featureList);
    if (owners === null) return { code: 'hidden.shared-finance-only' };
    if (owners.length === 0) return { code: 'hidden.teamless-finance-only' };
    if (owners.some((t) => authz.leads(t, userId))) return null;
    return { code: 'hidden.not-lead', teamName: owners[0]!.name, slug: owners[0]!.slug };
  }

  async function save(draft: HiddenCostDraft, userId: string, now: Date, ctx: Awaited<ReturnType<typeof context>>, editId?: number): Promise<HiddenOutcome> {
    const resolved = resolveDraft(draft, new Map(ctx.teamList.map((t) => [t.slug, t.id])), new Map(ctx.featureList.map((f) => [f.slug, f.id])));
    if (!resolved.ok) return { ok: false, failure: resolved.failure };
    const refused = await mayWrite(userId, resolved.cost, ctx);
    if (refused) return { ok: false, failure: refused };
    if (editId !== undefined) {
      // Re-authorised on every submit: the entry must still exist, and the user must be its author or
      // finance now (the form's private_metadata names the entry; it is never trusted).
      const current = await hidden.byId(editId);
      if (!current) return { ok: false, failure: { code: 'hidden.gone', id: editId } };
      if (!(current.author === userId || (await authz.isFinance(userId)))) return { ok: false, failure: { code: 'hidden.edit-not-author', id: editId } };
      const lockedEdit = await lockedRefusal(current, resolved.cost, 'edit');
      if (lockedEdit) return { ok: false, failure: lockedEdit };
      const entry = await hidden.update(editId, resolved.cost, userId, now);
      return entry
        ? { ok: true, entry, message: `Updated #${entry.id}: ${describeCost(resolved.cost, ctx)}.` }
        : { ok: false, failure: { code: 'hidden.missing', id: editId } };
    }
    const lockedAdd = await lockedRefusal(null, resolved.cost, 'add');
    if (lockedAdd) return { ok: false, failure: lockedAdd };
    const entry = await hidden.create(resolved.cost, userId, now);
    return { ok: true, entry, message: `Added ${describeCost(resolved.cost, ctx)} (#${entry.id}).` };
  }

  /** What was entered, in words: "$2,800.00 a month of Vector DB from 2026-10, shared proportional to API spend". */
  function describeCost(c: NewHiddenCost, ctx: Awaited<ReturnType<typeof context>>): string {
    const category = c.category.replace(/_/g, ' ').replace(/\b(db|api|llm|gpu)\b/gi, (w) => w.toUpperCase());
    const when =
      c.kind === 'one_off'
        ? ` of ${category} on ${c.date}`
        : c.kind === 'monthly'
          ? ` a month of ${category} from ${c.fromMonth}${c.untilMonth ? ` to ${c.untilMonth}` : ''}`
          : ` of ${category} per ${c.unit === 'request' ? 'request' : 'work item'}${c.fromMonth ? ` from ${c.fromMonth}` : ''}`;
    const teamName = (id: number) => ctx.teamList.find((t) => t.id === id)?.slug ?? `team ${id}`;
    const t = c.target;
    const target =
      t.type === 'team'
        ? `for ${teamName(t.teamId)}`
        : t.type === 'feature'
          ? `for ${ctx.featureList.find((f) => f.id === t.featureId)?.slug ?? `feature ${t.featureId}`}`
          : `shared ${describeRule(t.rule, teamName).replace('direct API spend', 'API spend')}`;
    return `${formatMoney(c.amount)}${when}, ${target}`;
  }

  return {
    context,

    /** `/aicost add <quick form>`. */
    async addFromText(text: string, userId: string, now: Date): Promise<HiddenOutcome> {
      const ctx = await context(now);
      const parsed = parseAddCommand(text, ctx);
      if (parsed.kind === 'invalid') return { ok: false, failure: parsed.failure, examples: parsed.examples };
      return save(parsed.cost, userId, now, ctx);
    },

    /** The modal's submission: field errors go back next to their fields. */
    async addFromFields(fields: HiddenCostFields, userId: string, now: Date, editId?: number): Promise<HiddenOutcome> {
      const ctx = await context(now);
      const v = validateHiddenCostInput(fields, ctx);
      if (!v.ok) return { ok: false, fields: v.fields };
      return save(v.value, userId, now, ctx, editId);
    },

    /** What the add/edit form needs; an edit is refused unless the user wrote the entry or is finance. */
    async formData(
      userId: string,
      entryId?: number,
    ): Promise<{ ok: true; categories: string[]; entry?: HiddenCostListing; targetText?: string } | { ok: false; failure: Failure }> {
      const categories = await hidden.categories();
      if (entryId === undefined) return { ok: true, categories };
      const entry = await hidden.byId(entryId);
      if (!entry) return { ok: false, failure: { code: 'hidden.missing-listed', id: entryId } };
      if (!(entry.author === userId || (await authz.isFinance(userId)))) return { ok: false, failure: { code: 'hidden.edit-not-author', id: entry.id } };
      const [teamList, featureList] = await Promise.all([teams.list(), teams.listFeatures()]);
      return { ok: true, categories, entry, targetText: targetText(entry, teamList, featureList) };
    },

    /** May this user edit or delete this entry? (the author, or finance) */
    async mayChange(entry: HiddenCostListing, userId: string): Promise<boolean> {
      return entry.author === userId || (await authz.isFinance(userId));
    },

    async remove(id: number, userId: string, now: Date): Promise<{ ok: true; message: string } | { ok: false; failure: Failure }> {
      const entry = await hidden.byId(id);
      if (!entry) return { ok: false, failure: { code: 'hidden.missing-listed', id } };
      if (!(entry.author === userId || (await authz.isFinance(userId)))) {
        return { ok: false, failure: { code: 'hidden.delete-not-author', id, author: entry.author } };
      }
      const lockedDelete = await lockedRefusal(entry, null, 'delete');
      if (lockedDelete) return { ok: false, failure: lockedDelete };
      await hidden.remove(id, userId, now);
      return { ok: true, message: `Deleted hidden cost #${id}. The change is in the audit log.` };
    },

    /**
     * Hidden costs, of one team or feature or of all; a viewer who may not see every team gets shared
     * entries (everyone carries a part) and their own teams' entries, and the count of the others.
     */
    async list(
      viewer: Viewer,
      slug: string | null,
    ): Promise<{
      entries: HiddenCostListing[];
      notShown: number;
      teamList: TeamRecord[];
      featureList: { id: number; slug: string; teamId: number | null }[];
      unknown?: string;
    }> {
      const [active, teamList, featureList] = await Promise.all([hidden.active(), teams.list(), teams.listFeatures()]);
      const teamOf = (t: HiddenCostListing['target']) =>
        t.type === 'team' ? t.teamId : t.type === 'feature' ? (featureList.find((f) => f.id === t.featureId)?.teamId ?? null) : null;
      const visible = (e: HiddenCostListing) => viewer.all || e.target.type === 'shared' || viewer.sees(teamOf(e.target));
      const team = slug === null ? undefined : teamList.find((t) => t.slug === slug);
      const feature = slug === null ? undefined : featureList.find((f) => f.slug === slug);
      if (slug !== null && !team && !feature) return { entries: [], notShown: 0, teamList, featureList, unknown: slug };
      const matches = active.filter((e) => {
        if (slug === null) return true;
        const t = e.target;
        if (feature && t.type === 'feature') return t.featureId === feature.id;
        if (team && t.type === 'team') return t.teamId === team.id;
        if (team && t.type === 'feature') return featureList.find((f) => f.id === t.featureId)?.teamId === team.id;
        return false;
      });
      const entries = matches.filter(visible);
      return { entries, notShown: matches.length - entries.length, teamList: visibleTeams(viewer, teamList), featureList };
    },
  };
}

export type HiddenService = ReturnType<typeof hiddenService>;
