/**
 * Mentions aicost means (a requester, a lead, the finance user who decided). Everything else that
 * reaches Slack is data and is escaped on the way out (src/slack/outgoing.ts), so a `<@U…>` written
 * in a tag, a note or a reason arrives as text. A mention is therefore not written as `<@U…>` but as
 * a token only this process can make: private-use delimiters around a per-process random key and
 * the user id. The Slack egress turns tokens into `<@U…>` after escaping; the terminal shows `@U…`.
 */
export type Mention = string & { readonly __brand: 'aicost-mention' };

const OPEN = '\uE000';
const CLOSE = '\uE001';
// Random per process: text from outside cannot forge a token it cannot know.
const KEY = globalThis.crypto.randomUUID().replace(/-/g, '').slice(0, 12);
const USER_ID = /^[UW][A-Z0-9]{2,}$/;
const TOKEN = new RegExp(`${OPEN}${KEY}:([UW][A-Z0-9]{2,})${CLOSE}`, 'g');
const STRAY = new RegExp(`[${OPEN}${CLOSE}]`, 'g');

/** A mention of a Slack user that aicost means; an id that is not a Slack user id is shown as text. */
export function mention(userId: string | null | undefined): Mention {
  const id = String(userId ?? '');
  return (USER_ID.test(id) ? `${OPEN}${KEY}:${id}${CLOSE}` : id) as Mention;
}

/** Replaces aicost's mention tokens (`render(id)`), and removes any stray delimiter characters. */
export function renderMentions(text: string, render: (userId: string) => string): string {
  if (!text.includes(OPEN) && !text.includes(CLOSE)) return text;
  return text.replace(TOKEN, (_m, id: string) => render(id)).replace(STRAY, '');
}

/** Mentions as `@U…`, for the terminal and logs. */
export function plainMentions(text: string): string {
  return renderMentions(text, (id) => `@${id}`);
}

const P_OPEN = '\uE002';
const P_CLOSE = '\uE003';
const PORTABLE = new RegExp(`${P_OPEN}([UW][A-Z0-9]{2,})${P_CLOSE}`, 'g');
const P_STRAY = new RegExp(`[${P_OPEN}${P_CLOSE}]`, 'g');

/**
 * Text to keep in the database and send later, possibly from another process (a post left pending by a
 * process that died): this process's mention tokens become a process-independent form, after removing
 * that form's delimiters from everything else, so text from outside still cannot forge one.
 */
export function portableMentions(text: string): string {
  return renderMentions(text.replace(P_STRAY, ''), (id) => `${P_OPEN}${id}${P_CLOSE}`);
}

/** The inverse of `portableMentions`, in this process: the kept mentions become this process's tokens again. */
export function fromPortableMentions(text: string): string {
  return text.replace(PORTABLE, (_m, id: string) => mention(id));
}
