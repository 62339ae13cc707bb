import type { Failure } from '../domain/result.ts';
import type { Viewer } from '../services/visibility.ts';
import type { CommandServices } from './services.ts';
import type { Outcome } from './outcome.ts';

/**
 * One `/aicost` verb: its help, its parser and what it does. A module per verb in src/commands/, listed
 * in registry.ts; its words are in src/format/outcome-parts.ts (by outcome kind) and failure-text.ts.
 * Parsing is pure (`now` and the zone are parameters); `run` gets the request's one `Viewer` and passes it
 * to services whose reads take it, so what the viewer may not see is decided in one place.
 */
export interface HelpLine {
  /** What to type, as in the README's table: `/aicost team <slug> [period]`. */
  usage: string;
  /** What it answers. */
  about: string;
  /** Listed under "For finance" (and in the README's finance rows). */
  finance?: boolean;
}

export interface ParseContext {
  now: Date;
  timeZone: string;
  /** The whole text typed after `/aicost`, for verbs that keep free text (`add`). */
  text: string;
}

export interface RunContext {
  viewer: Viewer;
  userId: string;
  channelId: string | null;
  now: Date;
  timeZone: string;
  services: CommandServices;
}

export interface Invalid {
  kind: 'invalid';
  failure: Failure;
  examples: string[];
}

export interface CommandModule<P> {
  verb: string;
  /** Other words for the verb (`budgets`, `what-if`). */
  aliases?: readonly string[];
  /** Whether a trailing "share" posts the answer in the channel (read-only answers). */
  shareable: boolean;
  /** Free text to the end (`add`, `request`, `admin`): a trailing "share" is part of it. */
  freeText?: boolean;
  help: readonly HelpLine[];
  /** The words after the verb (a trailing "share" already taken off), or why not. */
  parse(words: string[], ctx: ParseContext): P | Invalid;
  run(params: P, ctx: RunContext): Promise<Outcome>;
}

/** Declares a verb with its parameter type checked between parse and run. */
export const defineCommand = <P>(module: CommandModule<P>): CommandModule<P> => module;

export function invalid(failure: Failure, examples: string[]): Invalid {
  return { kind: 'invalid', failure, examples };
}

export const isInvalid = (p: unknown): p is Invalid => typeof p === 'object' && p !== null && (p as { kind?: unknown }).kind === 'invalid';
