import { distance } from 'fastest-levenshtein';
import { parsePeriod } from '../domain/periods.ts';
import { closest } from '../domain/suggest.ts';
import { add } from './add.ts';
import { admin } from './admin.ts';
import { anomalies } from './anomalies.ts';
import { budget } from './budget.ts';
import { chargeback } from './chargeback.ts';
import { type CommandModule, type HelpLine, type Invalid, invalid, isInvalid, type ParseContext, type RunContext } from './command.ts';
import { customer } from './customer.ts';
import { feature } from './feature.ts';
import { help } from './help.ts';
import { hidden } from './hidden.ts';
import { iceberg } from './iceberg.ts';
import { importRevenue } from './import.ts';
import { margin } from './margin.ts';
import type { Outcome } from './outcome.ts';
import { overview } from './overview.ts';
import { reconcile } from './reconcile.ts';
import { request } from './request.ts';
import { sync } from './sync.ts';
import { team } from './team.ts';
import { top } from './top.ts';
import { whatif } from './whatif.ts';

/**
 * Every `/aicost` verb, in the order `/aicost help` and the README list them. Adding a command: a module
 * in this folder, its line here, the words of its outcome (src/format/outcome-parts.ts) and a test.
 */
// biome-ignore lint/suspicious/noExplicitAny: each module's parameter type is checked inside defineCommand.
export const COMMANDS: readonly CommandModule<any>[] = [
  overview,
  team,
  top,
  feature,
  iceberg,
  add,
  hidden,
  budget,
  request,
  sync,
  anomalies,
  chargeback,
  whatif,
  reconcile,
  margin,
  customer,
  importRevenue,
  admin,
  help,
];

/** Examples for a mistyped command (`payments` is replaced by a team of the organisation). */
export const HELP_EXAMPLES = [
  '/aicost',
  '/aicost team payments',
  '/aicost team payments last month',
  '/aicost top features 30d',
  '/aicost top teams 2026-10',
  '/aicost top models 2026-10-01..2026-10-15',
];

/** Every help line: for everyone, or finance's. */
export const helpLines = (finance: boolean): HelpLine[] => COMMANDS.flatMap((c) => c.help).filter((h) => (h.finance ?? false) === finance);

const SHARE_WORDS = new Set(['share', 'public']);

const byVerb = new Map<string, CommandModule<unknown>>(COMMANDS.flatMap((c) => [c.verb, ...(c.aliases ?? [])].map((v) => [v, c] as const)));
const VERBS = COMMANDS.map((c) => c.verb).filter(Boolean);

export interface Parsed {
  module: CommandModule<unknown>;
  params: unknown;
  /** The user ended a read-only command with "share". */
  share: boolean;
}

/** The text after `/aicost` → which verb with which parameters, or what was wrong and what to type. */
export function parseText(text: string, ctx: Omit<ParseContext, 'text'>): Parsed | Invalid {
  const words = text.trim().split(/\s+/).filter(Boolean);
  const head = words[0]?.toLowerCase();
  const found = head === undefined ? overview : byVerb.get(head);
  const module = (found ?? overview) as CommandModule<unknown>;
  // A trailing "share" posts a read-only answer in the channel; commands with free text keep the word.
  const popped = !module.freeText && words.length > 0 && SHARE_WORDS.has(words[words.length - 1]!.toLowerCase());
  if (popped) words.pop();
  const share = popped && module.shareable;
  const full = { ...ctx, text };
  if (found) {
    const params = found.parse(head === undefined ? words : words.slice(1), full);
    return isInvalid(params) ? params : { module: found as CommandModule<unknown>, params, share };
  }
  // `/aicost last month` or `/aicost 2026-10`: the overview for a period.
  if (parsePeriod(words.join(' '), ctx.now, ctx.timeZone).ok) {
    const params = overview.parse(words, full);
    return isInvalid(params) ? params : { module: overview as CommandModule<unknown>, params, share };
  }
  const guess = closest(head!, VERBS, 1)[0];
  if (guess && distance(head!, guess) <= 2)
    return invalid({ code: 'command.did-you-mean', text: words[0] ?? '', guess }, [`/aicost ${[guess, ...words.slice(1)].join(' ')}`, '/aicost help']);
  return invalid({ code: 'command.unknown', text: text.trim() }, HELP_EXAMPLES);
}

export const runParsed = (parsed: Parsed, ctx: RunContext): Promise<Outcome> => parsed.module.run(parsed.params, ctx);
