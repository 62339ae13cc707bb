import { USAGE_METRICS } from '../domain/allocation.ts';
import { mention } from '../domain/mentions.ts';
import { formatMoney } from '../domain/money.ts';
import { PERIOD_EXAMPLES } from '../domain/periods.ts';
import type { Failure, FailureCode, FieldFailures } from '../domain/result.ts';
import { list, RULE_HELP } from '../domain/input/hidden-cost-fields.ts';
import { possessive } from './table.ts';

/**
 * The words for every failure code (src/domain/result.ts): the one place where a failure becomes what
 * people read, for Slack replies, modal field errors and the CLI alike. The table is typed by code, so
 * a new code does not compile until it has its words. Text in a failure's data is what the user typed:
 * it stays data and is escaped at the Slack egress (src/slack/outgoing.ts), never here.
 */
const WORDS: { [C in FailureCode]: (f: Extract<Failure, { code: C }>) => string } = {
  'input.invalid': (f) => f.issue,
  'input.tampered-button': () => TAMPERED_BUTTON,
  'input.tampered-form': () => TAMPERED_FORM,
  'team.none': (f) => `There is no team "${f.slug}".`,
  'feature.none': (f) => `There is no feature "${f.slug}".`,
  'alias.taken': (f) => `"${f.alias}" is already an alias.`,
  'customers.finance-only': () => 'Customer rankings across teams are shown to finance. `/aicost team <your team>` shows your own team.',
  'margin.finance-only': () =>
    'Revenue and margin per customer are confidential, so only finance sees them. Team leads: /aicost whatif <feature> cheapest shows what a model switch would save.',
  'sync.finance-only': () => 'Only finance can start a sync. Nothing was started.',
  'sync.no-source': () => 'No source is configured, so there is nothing to sync.',
  'sync.running': () => 'A sync is already running.',
  'visibility.not-your-team': (f) =>
    `${f.name} is not one of your teams, so its figures are not shown to you. Team leads and members see their own teams; finance sees every team.`,
  'anomaly.gone': () => 'That anomaly no longer exists.',
  'anomaly.feedback-not-allowed': (f) =>
    `Only ${f.teamName !== null ? `${possessive(f.teamName)} leads and members` : 'finance'} can give feedback on this anomaly. Nothing was changed.`,

  'amount.empty': () => 'Enter an amount in dollars, such as 2800 or 1,250.50.',
  'amount.not-a-number': (f) => `"${f.text}" is not an amount: write dollars such as 2800, 54.50 or $1,234.56.`,
  'amount.bad-commas': (f) => `"${f.text}" is not an amount: commas only separate thousands (1,250.50), and decimals follow a point.`,
  'amount.no-decimals': (f) => `"${f.text}" is not an amount: write the decimals after the point, or none.`,
  'amount.too-many-decimals': (f) =>
    f.decimals === 0
      ? `"${f.text}" must be whole dollars.`
      : `"${f.text}" has more than ${f.decimals} decimals: amounts are at most ${f.decimals === 2 ? 'whole cents' : `${f.decimals} decimals`}.`,
  'amount.negative': (f) => `"${f.text}" is negative: write a positive amount.`,
  'amount.too-large': (f) => `"${f.text}" is more than ${formatMoney(f.max)}, the largest amount aicost accepts.`,
  'amount.zero': () => 'The amount must be more than $0.00.',

  'period.outside-years': (f) => `"${f.text}" is outside the years aicost reports on (${f.min} to ${f.max}).`,
  'period.days-out-of-range': (f) => `"${f.text}" is out of range: use between 1d and 366d.`,
  'period.no-such-date': (f) => `"${f.text}" has a date that does not exist.`,
  'period.ends-before-start': (f) => `"${f.text}" ends before it starts.`,
  'period.range-too-long': (f) => `a date range can span at most ${f.maxDays} days.`,
  'period.unknown': (f) => `"${f.text}" is not a period I understand.`,
  'months.too-many': (f) => `A margin spans at most ${f.max} months.`,
  'months.not-monthly': (f) =>
    `"${f.text}" is not a month: revenue is monthly, so use last month, this month, YYYY-MM, YYYY-MM..YYYY-MM or a number of months (3: the last three complete months).`,

  'command.period': (f) => `${failureText(f.cause)} Periods: ${PERIOD_EXAMPLES.map((p) => `\`${p}\``).join(', ')}.`,
  'command.team-missing': () => '`team` needs a team name.',
  'command.team-not-slug': (f) => `"${f.text}" is not a team name: ${f.issue}.`,
  'command.iceberg-not-team': (f) => `"${f.text}" is not a team name.`,
  'command.top-missing': () => '`top` needs what to rank: teams, features, models or customers.',
  'command.top-unknown': (f) => `"${f.text}" is not something I can rank. Choose teams, features, models or customers.`,
  'command.feature-missing': () => '`feature` needs a feature name.',
  'command.feature-not-slug': (f) => `"${f.text}" is not a feature name: use its slug.`,
  'command.hidden-needs-id': (f) => `\`hidden ${f.sub}\` needs the entry number shown by \`/aicost hidden\`.`,
  'command.hidden-too-many': () => '`hidden` takes at most a team or feature name.',
  'command.budget-usage': () =>
    '`budget` lists budgets; `budget [team] [YYYY-MM|last month]` shows one month; `budget set <team> <amount> [YYYY-MM|monthly]` sets one.',
  'command.budget-set-team': () => '`budget set` needs a team, then an amount.',
  'command.budget-set-amount': () => '`budget set` needs an amount after the team: write dollars such as 5000 or 12,500.50.',
  'command.budget-set-extra': (f) => `"${f.text}" after the month is not part of \`budget set\`.`,
  'command.budget-set-month': (f) => `"${f.text}" is not a month: use YYYY-MM, or "monthly" for every month.`,
  'command.request-missing': () => '`request` needs an amount and a reason.',
  'command.request-reason': () => 'Say why the budget should grow, after the amount.',
  'command.sync-usage': () => '`sync` shows each source; `sync now` starts a sync (finance only).',
  'command.anomalies-too-many': () => '`anomalies` takes at most a team name.',
  'command.chargeback-usage': () => '`chargeback` takes a month: YYYY-MM or "last month".',
  'command.customer-missing': () => '`customer` needs a customer id, as the sources report it or as imported.',
  'command.customer-bad-id': (f) => `"${f.text.slice(0, 40)}" is not a customer id: up to 200 characters without spaces, <, > or &.`,
  'command.whatif-missing': () => '`whatif` needs a feature and a model (or "cheapest").',
  'command.whatif-bad-model': (f) => `"${f.text.slice(0, 40)}" is not a model id such as gpt-4o-mini or claude-3-5-haiku.`,
  'command.did-you-mean': (f) => `"${f.text}" is not a command. Did you mean \`${f.guess}\`?`,
  'command.unknown': (f) => `"${f.text}" is neither a command nor a period.`,

  'hidden.amount-empty': () => 'Enter an amount, like 2800 or 54.50.',
  'hidden.amount-negative': () => 'The amount must be more than $0: a hidden cost is money spent.',
  'hidden.amount-not-a-number': (f) => `"${f.text}" is not an amount. Write it like 2800, 54.50 or $1,234.56.`,
  'hidden.amount-decimals': (f) =>
    f.max === 2
      ? `"${f.text}" has more than 2 decimals: one-off and monthly amounts are in cents (per-item and per-request amounts may have up to 4).`
      : `"${f.text}" has more than 4 decimals: per-item and per-request amounts may have up to 4.`,
  'hidden.category-missing': (f) => `Choose a category: ${list(f.categories, 50)}.`,
  'hidden.category-unknown': (f) => `"${f.text}" is not a cost category.${f.near ? ` Did you mean ${f.near}?` : ''} Categories: ${list(f.categories, 50)}.`,
  'hidden.kind-unknown': (f) => `${f.text === '' ? '' : `"${f.text}" is not how often. `}Say how often: once, monthly, per-item or per-request.`,
  'hidden.kind-missing': () => 'Choose how often: once, monthly, per item or per request.',
  'hidden.day-missing': () => 'Pick the day of the cost (YYYY-MM-DD).',
  'hidden.day-invalid': (f) => `"${f.text}" is not a date: write it as YYYY-MM-DD, like 2026-11-03.`,
  'hidden.month-missing': () => 'Pick a month (YYYY-MM).',
  'hidden.month-invalid': (f) => `"${f.text}" is not a month: write it as YYYY-MM, like 2026-11.`,
  'hidden.until-before-from': (f) => `The cost ends (${f.until}) before it starts (${f.from}).`,
  'hidden.usage-metric': (f) => `${f.text ? `"${f.text}" is not a usage metric. ` : ''}Say which usage: ${USAGE_METRICS.map((m) => `usage:${m}`).join(', ')}.`,
  'hidden.team-unknown': (f) => `"${f.slug}" is not a team I know.${f.near.length > 0 ? ` Closest: ${f.near.join(', ')}.` : ' No teams are set up yet.'}`,
  'hidden.even-twice': (f) => `${f.team} is listed twice in the even split.`,
  'hidden.fixed-missing': () => 'Give the fixed split, like fixed:payments=60,search=40.',
  'hidden.fixed-bad-share': (f) => `"${f.text}" is not a share: write team=percent, like fixed:payments=60,search=40.`,
  'hidden.fixed-twice': (f) => `${f.team} appears twice in the fixed split.`,
  'hidden.rule-invalid': (f) => f.reason,
  'hidden.target-missing': (f) => (f.perUnit ? 'Name the feature whose volume the cost follows.' : 'Say who pays: a team, a feature, or `shared`.'),
  'hidden.per-unit-shared': () => "Per-item and per-request costs follow one feature's volume: name a feature, not `shared`.",
  'hidden.after-shared': (f) => `I did not understand "${f.text}" after \`shared\`. ${RULE_HELP}`,
  'hidden.target-not-slug': (f) => `"${f.text}" is not a team or feature name: use its slug, like payments.`,
  'hidden.per-unit-team': (f) => `${f.slug} is a team; per-item and per-request costs follow a feature's volume, so name a feature.${closestFeatures(f.near)}`,
  'hidden.feature-unknown': (f) =>
    `"${f.slug}" is not a feature I know.${f.perUnit ? closestFeatures(f.near) : f.near.length > 0 ? ` Closest: ${f.near.join(', ')}.` : ' No features are set up yet.'}`,
  'hidden.team-and-feature': (f) => `${f.slug} is both a team and a feature: write team:${f.slug} or feature:${f.slug}.`,
  'hidden.target-unknown': (f) =>
    `"${f.slug}" is not a team or feature I know.${f.near.length > 0 ? ` Closest: ${f.near.join(', ')}.` : ' No teams or features are set up yet.'}`,
  'hidden.note-unclosed': () => 'The note opens a quote but never closes it: put it last, like "Pinecone".',
  'hidden.note-not-last': (f) => `Put the note last, in quotes: I found "${f.after}" after it.`,
  'hidden.note-too-long': (f) => `The note is too long: keep it under ${f.max} characters.`,
  'hidden.form-target-extra': (f) => `I did not understand "${f.text}" in the target.`,
  'hidden.form-rule-not-shared': () => 'A rule only applies to a shared cost.',
  'hidden.form-rule-twice': () => 'The target already names a rule: keep one of the two.',
  'hidden.form-rule-unknown': (f) => `"${f.text}" is not a rule. ${RULE_HELP}`,
  'hidden.form-note-too-long': (f) => `Keep the note under ${f.max} characters.`,
  'hidden.add-empty': () => 'Tell me the amount, the category, how often and who pays.',
  'hidden.add-category-missing': (f) => `After the amount, name the category: ${list(f.categories, 50)}.`,
  'hidden.one-off-month': (f) => `A one-off cost is on a day: write the date as YYYY-MM-DD (got "${f.text}").`,
  'hidden.one-off-until': () => '`until` is for monthly and per-unit costs; a one-off cost has a single date.',
  'hidden.from-needs-month': () => '`from` needs a month, like from 2026-11.',
  'hidden.starts-in-month': (f) => `A ${f.monthly ? 'monthly' : 'per-unit'} cost starts in a month: write it as YYYY-MM (got "${f.text}").`,
  'hidden.until-needs-month': () => '`until` needs the last month, like until 2027-03.',
  'hidden.add-extra': (f) => `I did not understand "${f.text}". A note goes last, in quotes.`,

  'hidden.shared-finance-only': () => 'Only finance can add shared costs. Ask finance, or add the cost to your own team. Nothing was changed.',
  'hidden.teamless-finance-only': () => 'Only finance can add costs for a feature that has no team. Nothing was changed.',
  'hidden.not-lead': (f) => `Only ${possessive(f.teamName)} leads or finance can add costs for ${f.slug}. Nothing was changed.`,
  'hidden.gone': (f) => `There is no hidden cost #${f.id} any more. Nothing was changed.`,
  'hidden.missing': (f) => `There is no hidden cost #${f.id}.`,
  'hidden.missing-listed': (f) => `There is no hidden cost #${f.id}. \`/aicost hidden\` lists them.`,
  'hidden.edit-not-author': (f) => `Only the author of #${f.id} or finance can edit it. Nothing was changed.`,
  'hidden.delete-not-author': (f) => `Only the author of #${f.id} (${mention(f.author)}) or finance can delete it.`,
  'hidden.month-locked': (f) =>
    `${f.month} is ${f.state}: its numbers do not change, so I cannot ${f.verb} a cost that ${f.changes ? 'changes' : 'charges'} it. ${
      f.recurring
        ? `To change a recurring cost, end it (until ${f.month} or later) and add the new one from the first open month.`
        : 'Date it in an open month instead.'
    }${f.state === 'closed' ? ` Finance can reopen ${f.month} first.` : ''} Nothing was changed.`,

  'budget.no-team': (f) => `There is no team "${f.slug}".${f.near.length ? ` Known teams, closest first: ${f.near.join(', ')}.` : ''}`,
  'budget.set-finance-only': () => 'Only finance can set budgets. Nothing was changed.',
  'budget.month-locked': (f) => `${f.month} is ${f.state}: its budget no longer changes. Set the budget of an open month instead. Nothing was changed.`,
  'budget.request-several-teams': (f) =>
    `You lead several teams (${f.teams.join(', ')}): name one, e.g. /aicost request ${formatMoney(f.amount).slice(1)} ${f.teams[0]} <reason>.`,
  'budget.request-which-team': () => 'Name the team the request is for, e.g. /aicost request 2000 payments launch traffic.',
  'budget.request-reason': () => 'Say why the budget should grow, after the amount and team.',
  'budget.request-not-lead': (f) => `Only ${possessive(f.teamName)} leads can ask for more budget for it. Nothing was sent.`,
  'budget.decide-finance-only': () => 'Only finance can decide budget requests. Nothing was changed.',
  'budget.request-gone': () => 'That request no longer exists.',
  'budget.request-already': (f) => `Request #${f.id} was already ${f.status}.`,
  'budget.no-request': (f) => `There is no request #${f.id}.`,
  'budget.already-decided': (f) => `Request #${f.id} was already ${f.status} by ${mention(f.by)}.`,
  'budget.approve-locked': (f) =>
    `${f.month} is ${f.state}: its budget no longer changes, so request #${f.id} cannot be approved. Deny it, or ask for the budget in an open month. Nothing was changed.`,

  'chargeback.finance-only': () => 'Only finance can close, reopen or finalize a month. Nothing was changed.',
  'chargeback.not-ended': (f) => `${f.month} has not ended yet; it can be closed from ${f.closableFrom}.`,
  'chargeback.cannot': (f) =>
    `${f.month} is ${f.state}; it cannot be ${f.action === 'close' ? 'closed' : f.action === 'reopen' ? 'reopened' : 'finalized'} from there.`,

  'map.finance-only': () => 'Only finance can map provider projects to teams. Nothing was changed.',
  'map.usage': () => MAP_USAGE,
  'map.provider': (f) => `The provider must be openai or anthropic, not "${f.text}". ${MAP_USAGE}`,
  'map.scope': (f) => `${f.provider} bills are read per ${f.expected}, so map a ${f.expected}, not "${f.text}". ${MAP_USAGE}`,
  'map.scope-id': (f) => `"${f.text}" is not ${/^[AEIOUaeiou]/.test(f.scope) ? 'an' : 'a'} ${f.scope} id (letters, digits, _ . : -).`,

  'revenue.not-csv': (f) => `the file is not valid CSV (${f.detail})`,
  'revenue.empty': () => 'the file is empty: it needs a header row customer,month,revenue[,plan]',
  'revenue.header': (f) =>
    `the header must be customer,month,revenue[,plan]: ${[
      f.missing.length ? `missing column${f.missing.length > 1 ? 's' : ''} ${f.missing.join(', ')}` : '',
      f.unknown.length ? `unknown column${f.unknown.length > 1 ? 's' : ''} ${f.unknown.map((u) => `"${u}"`).join(', ')}` : '',
      f.repeated.length ? `repeated column ${f.repeated.join(', ')}` : '',
    ]
      .filter(Boolean)
      .join('; ')}`,
  'revenue.too-many-rows': (f) => `the file has ${f.rows} rows; at most ${f.max} are taken in one import`,
  'revenue.cells': (f) => `has ${f.cells} cells, the header has ${f.header}`,
  'revenue.amount': (f) => `revenue "${f.text}" is not an amount: USD with at most two decimals and no sign, e.g. 12500 or 12,500.50`,
  'revenue.duplicate': (f) => `customer ${f.customer} appears twice for ${f.month} (also on line ${f.earlierLine})`,
  'revenue.no-rows': () => 'the file has a header but no rows',
  'alias.none': (f) => `There is no customer alias "${f.alias}".`,
  'alias.bad-id': () => 'A customer id is up to 200 characters with no spaces, <, > or &.',
  'alias.same': () => 'An alias must differ from the customer it names.',
  'alias.of-alias': (f) => `"${f.customer}" is itself an alias of ${f.of}: alias to ${f.of} instead.`,
  'alias.has-aliases': (f) => `"${f.alias}" has aliases of its own; it cannot become an alias.`,
  'alias.usage': () => 'Write: admin customer alias <alias> <customer>, admin customer unalias <alias>, or admin customer aliases.',

  'focus.not-csv': (f) => `not a readable CSV: ${f.detail}`,
  'focus.missing-columns': (f) => `missing mandatory column${f.missing.length > 1 ? 's' : ''} ${f.missing.join(', ')}`,
  'focus.currency': (f) => `BillingCurrency is "${f.currency}", only USD is imported`,
  'focus.time': (f) => `${f.column} "${f.text}" is not an ISO 8601 time`,
  'focus.end-before-start': () => 'ChargePeriodEnd is not after ChargePeriodStart',
  'focus.decimal': (f) => `${f.column} "${f.text}" is not a decimal number`,
  'focus.charge-category': (f) => `ChargeCategory "${f.text}" is not one of ${f.allowed.join(', ')}`,
  'focus.tags': () => 'Tags is not a JSON object',
  'focus.feature-tag': (f) => `the feature tag names "${f.slug}", which is not a feature`,
  'focus.team-tag': (f) => `the team tag names "${f.slug}", which is not a team (add it or fix the tag)`,
  'focus.month-locked': (f) => `${f.day} is in ${f.month}, which is ${f.state}`,
  'focus.amount-limit': (f) => `${f.column} "${f.text}" is beyond ±${formatMoney(f.max)}, the most one FOCUS row may cost or credit`,
  'focus.period-too-long': (f) => `the charge period is ${f.days} days; at most ${f.maxDays} are imported (split it, or import the amortised EffectiveCost)`,
  'focus.file-total-limit': (f) => `the file's amounts add up to more than ${formatMoney(f.max)} (in absolute value) by this row`,
  'focus.attribution': (f) => `x_AicostAttribution "${f.text}" is not team, unattributed or unallocated`,

  'budget.approve-reason': () => 'Say why this amount.',

  'admin.adjust-amount': (f) => `${failureText(f.cause)} Write dollars, negative for a credit, e.g. -120.50.`,
  'admin.finance-only': () => 'Only finance can use admin commands. Nothing was changed.',
  'admin.name-team': () => 'Name the team.',
  'admin.name-feature': () => 'Name the feature.',
  'admin.cost-center': (f) => `A cost centre is a ledger code of at most 40 characters, such as CC-4100 (got ${f.length} characters). Nothing was changed.`,
  'admin.not-understood': (f) => `I did not understand "${f.text}".`,
  'admin.alias-usage': () => 'Write: alias team <alias> <slug>, or alias feature <alias> <slug>.',
  'admin.baseline-negative': () => 'A baseline cannot be negative.',
  'admin.adjust-month': () => 'After the amount, give the month as YYYY-MM.',
  'admin.adjust-zero': () => 'An adjustment of $0.00 changes nothing.',
  'admin.adjust-reason': () => 'Say why, after the month.',
  'admin.adjust-locked': (f) => `${f.month} is ${f.state}: its numbers do not change. Book the adjustment in the open month, or reopen ${f.month} first.`,
  'admin.category-name': () => 'A category is lowercase letters, digits and "_", e.g. data_labeling.',
  'admin.category-exists': (f) => `Category ${f.name} already exists.`,
  'admin.unknown': (f) => `Unknown admin command "${f.text}".`,
  'revenue.encoding': (f) =>
    f.found === 'utf-16'
      ? 'the file is UTF-16 text without a byte-order mark, so its encoding cannot be told for sure: save it as "CSV UTF-8 (Comma delimited)" and share it again'
      : 'the file is not UTF-8 text (it looks like Windows-1252, what Excel\'s "CSV (Comma delimited)" writes), so names would be stored garbled: save it as "CSV UTF-8 (Comma delimited)" and share it again',
  'revenue.separator': (f) =>
    `the file's columns are separated by ${f.separator === 'tab' ? 'tabs' : 'semicolons (;)'}; a revenue file is comma-separated with "." decimals, e.g. acme,2026-10,12500.00: export it as CSV with commas and share it again`,
  'revenue.too-large': (f) => `the file is larger than ${f.maxBytes / 1_000_000} MB; import it with npx aicost import revenue FILE.csv`,
};

const MAP_USAGE =
  'Usage: /aicost admin map openai project proj_abc support, /aicost admin map openai key key_abc support, /aicost admin map anthropic workspace wrkspc_x search, or /aicost admin map anthropic key apikey_01abc search.';
const TAMPERED_BUTTON =
  'That button carries a value aicost did not put there, so I did nothing. Use the buttons on the latest message, or the matching /aicost command.';
const TAMPERED_FORM = 'This form came back changed (its hidden data is not what aicost sent), so nothing was saved. Close it and open it again.';

function closestFeatures(near: readonly string[]): string {
  return near.length > 0 ? ` Closest features: ${near.join(', ')}.` : ' No features are set up yet.';
}

/** Refusals for lack of rights: their replies are titled "Not allowed", not "not understood" or "not changed". */
const NOT_ALLOWED: ReadonlySet<FailureCode> = new Set<FailureCode>([
  'admin.finance-only',
  'anomaly.feedback-not-allowed',
  'budget.decide-finance-only',
  'budget.request-not-lead',
  'budget.set-finance-only',
  'chargeback.finance-only',
  'hidden.delete-not-author',
  'hidden.edit-not-author',
  'hidden.not-lead',
  'hidden.shared-finance-only',
  'hidden.teamless-finance-only',
  'map.finance-only',
  'sync.finance-only',
]);

export function isNotAllowed(f: Failure): boolean {
  return NOT_ALLOWED.has(f.code);
}

/** What a failure says to the user, in one sentence or a few. */
export function failureText(f: Failure): string {
  return (WORDS[f.code] as (f: Failure) => string)(f);
}

/** A form's failures as the text shown under each field. */
export function fieldFailureTexts<F extends string>(fields: FieldFailures<F>): Partial<Record<F, string>> {
  const out: Partial<Record<F, string>> = {};
  for (const [field, failure] of Object.entries(fields) as [F, Failure | undefined][]) if (failure) out[field] = failureText(failure);
  return out;
}
