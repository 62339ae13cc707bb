import { isInvalid, type Invalid } from '../../src/commands/command.ts';
import { parseText } from '../../src/commands/registry.ts';

/** The registry's reading of a command text, flattened for assertions: `{ verb, ...params, share }` or the invalid answer. */
export function parseVerb(text: string, now: Date, timeZone: string): Invalid | { kind?: undefined; verb: string; share: boolean; [k: string]: unknown } {
  const p = parseText(text, { now, timeZone });
  if (isInvalid(p)) return p;
  return { verb: p.module.verb, ...(p.params as object), share: p.share };
}
