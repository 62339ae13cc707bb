import { z } from 'zod';

/**
 * What aicost's own buttons and forms carry back (button values, `private_metadata`), validated
 * before anything runs: a value Slack returns is still text from outside (a tampered or stale
 * payload must get a clear answer and change nothing, never an unhandled error).
 */
const MAX_ID = 2_147_483_647;

/** A database id as a button value: decimal digits only, 1 to 2^31-1. */
export const idValue = z
  .string()
  .regex(/^[0-9]{1,10}$/, 'not a number')
  .transform(Number)
  .refine((n) => n >= 1 && n <= MAX_ID, 'out of range');

export const monthValue = z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'not a month (YYYY-MM)');

export const anomalyFeedbackValue = z
  .string()
  .regex(/^[0-9]{1,10}:(planned|not_an_issue|investigating)$/, 'not an incident and a status')
  .transform((v) => {
    const [id, status] = v.split(':') as [string, 'planned' | 'not_an_issue' | 'investigating'];
    return { id: Number(id), status };
  })
  .refine((v) => v.id >= 1 && v.id <= MAX_ID, 'out of range');

const channelId = z.string().regex(/^[CDGW][A-Z0-9]{2,}$/, 'not a channel id');
const messageTs = z.string().regex(/^\d{1,12}\.\d{1,9}$/, 'not a message ts');

/** private_metadata is JSON text; anything else is refused rather than guessed. */
function jsonText<T extends z.ZodType>(schema: T) {
  return z
    .string()
    .transform((text, ctx) => {
      try {
        return JSON.parse(text) as unknown;
      } catch {
        ctx.addIssue({ code: 'custom', message: 'not JSON' });
        return z.NEVER;
      }
    })
    .pipe(schema);
}

export const hiddenCostMeta = jsonText(
  z
    .object({
      channelId: channelId.nullable().default(null),
      entryId: z.number().int().min(1).max(MAX_ID).nullable().default(null),
    })
    .strict(),
);

export const approveOtherMeta = jsonText(
  z
    .object({
      requestId: z.number().int().min(1).max(MAX_ID),
      messageTs: messageTs.nullable().default(null),
      channelId: channelId.nullable().default(null),
    })
    .strict(),
);

/** The Deny form: which request, and where to answer. */
export const denyMeta = jsonText(
  z
    .object({
      requestId: z.number().int().min(1).max(MAX_ID),
      channelId: channelId.nullable().default(null),
    })
    .strict(),
);

// A value or private_metadata that fails these schemas is answered with `input.tampered-button` / `input.tampered-form` (src/format/failure-text.ts).
