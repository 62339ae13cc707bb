import { addMonths } from 'date-fns';
import { fromUsd, nanos, NANOS_PER_DOLLAR, ZERO, type Money } from '../domain/money.ts';
import { monthOf, monthPeriod } from '../domain/periods.ts';
import type { BudgetService } from '../services/budget-service.ts';
import type { ChargebackService } from '../services/chargeback-service.ts';
import type { HiddenService } from '../services/hidden-service.ts';
import type { HiddenCostsRepository } from '../services/ports/hidden-costs.ts';
import type { TeamsRepository } from '../services/ports/teams.ts';
import type { TrueCostService } from '../services/true-cost.ts';
import { failureText } from '../format/failure-text.ts';

/** The services the demo set-up goes through (the same as /aicost). */
export interface DemoServices {
  budgets: BudgetService;
  chargeback: ChargebackService;
  hidden: HiddenService;
  hiddenRepo: HiddenCostsRepository;
  teams: TeamsRepository;
  trueCost: TrueCostService;
}

/** The demo's finance user: the demo enters its budgets, hidden costs and month close as this person. */
export const DEMO_FINANCE_USER = 'U0DEMOFIN';

/**
 * What makes the demo show the product, on top of the calls `seedDemo` writes: hidden costs (human
 * review per work item on ticket triage and claim intake, a shared vector DB monthly split by API
 * spend), a human baseline for ticket triage, budgets for this month chosen from the month's true
 * cost so that support is past 80% and search is over, standing budgets for the others, and last
 * month closed. Goes through the same services as /aicost, as DEMO_FINANCE_USER, so `services` must
 * count that user as finance. Running it again does not add the hidden costs twice.
 */
export async function setUpDemo(services: DemoServices, opts: { now: Date; timeZone: string }): Promise<string[]> {
  const { now, timeZone } = opts;
  const done: string[] = [];
  const month = monthOf(now, timeZone);
  const last = monthOf(addMonths(monthPeriod(month, timeZone).from, -1), timeZone);
  const first = monthOf(addMonths(monthPeriod(month, timeZone).from, -4), timeZone);
  const existing = await services.hiddenRepo.active();
  for (const text of [
    `2800 vector_db monthly ${first} shared direct "Pinecone (demo)"`,
    `0.45 human_review per-item ${first} ticket-triage "Agent checks each triaged ticket, 30 s at $54/h (demo)"`,
    `3.20 human_review per-item ${first} claim-intake "Adjuster reviews each intake (demo)"`,
  ]) {
    const note = /"([^"]+)"/.exec(text)![1]!;
    if (existing.some((e) => e.note === note)) continue;
    const r = await services.hidden.addFromText(text, DEMO_FINANCE_USER, now);
    if (!r.ok) throw new Error(`demo: could not add a hidden cost (${text}): ${'problem' in r ? r.problem : JSON.stringify(r)}`);
    done.push(`hidden cost: ${note}`);
  }
  const triage = (await services.teams.listFeatures()).find((f) => f.slug === 'ticket-triage');
  if (triage) {
    await services.teams.setFeatureBaseline(triage.id, fromUsd('4.50'));
    done.push('human baseline: ticket triage $4.50 per ticket');
  }
  // This month's budgets from its true cost so far: support at ~85 %, search at ~135 %.
  const cost = await services.trueCost.periodCost(monthPeriod(month, timeZone), now);
  const teamList = await services.teams.list();
  const spent = (slug: string): Money => cost.teams.get(teamList.find((t) => t.slug === slug)?.id ?? -1)?.total ?? ZERO;
  const wholeDollars = (m: Money) => nanos((m / NANOS_PER_DOLLAR) * NANOS_PER_DOLLAR);
  const budgets: [string, Money, string][] = [
    ['support', wholeDollars(nanos((spent('support') * 100n) / 85n + NANOS_PER_DOLLAR)), month],
    ['search', wholeDollars(nanos((spent('search') * 100n) / 135n)), month],
    ['claims', fromUsd('2000'), 'monthly'],
    ['growth', fromUsd('300'), 'monthly'],
    ['platform', fromUsd('2200'), 'monthly'],
  ];
  for (const [slug, amount, when] of budgets) {
    if (amount <= 0n) continue;
    const r = await services.budgets.set(slug, amount, when, DEMO_FINANCE_USER, now);
    if (!r.ok) throw new Error(`demo: could not set ${slug}'s budget: ${failureText(r.failure)}`);
    done.push(`budget: ${r.message}`);
  }
  const period = await services.chargeback.transition(last, 'close', DEMO_FINANCE_USER, now);
  done.push(period.ok ? `closed ${last}` : `${last} left as it is (${failureText(period.failure)})`);
  return done;
}
