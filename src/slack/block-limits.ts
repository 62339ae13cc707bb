/**
 * Block Kit limits, and fitting blocks within them before Slack sees them.
 *
 * Slack rejects a message or view that breaks any of these with `invalid_blocks` (messages),
 * `invalid_arguments` (views) or `msg_blocks_too_long`, and the client does not retry. Every block
 * builder sends its blocks through {@link fitBlocks}, which truncates texts and drops surplus blocks
 * and elements to these limits. This module is pure (no I/O, no Slack client).
 *
 * Checking is not done here: the test stand-in Slack server checks every call against its own table
 * of Slack's documented limits (test/support/block-kit-check.ts), so a wrong limit here fails a test
 * rather than passing its own check.
 *
 * Lengths are JavaScript string lengths (UTF-16 code units). That is never less than the number of
 * characters Slack counts, so text fitted here fits there.
 */

export type BlockSurface = 'message' | 'modal' | 'home';

export const BLOCK_LIMITS = {
  /** Blocks in one message (chat.postMessage, chat.update, response_url, ephemeral). */
  blocksPerMessage: 50,
  /** Blocks in a modal or the Home tab. */
  blocksPerView: 100,
  sectionText: 3000,
  sectionFields: 10,
  fieldText: 2000,
  headerText: 150,
  buttonText: 75,
  buttonValue: 2000,
  buttonUrl: 3000,
  /** block_id, action_id, callback_id, external_id. */
  id: 255,
  imageUrl: 3000,
  altText: 2000,
  imageTitle: 2000,
  contextElements: 10,
  actionsElements: 25,
  inputLabel: 2000,
  inputHint: 2000,
  placeholder: 150,
  optionText: 75,
  optionValue: 150,
  optionDescription: 75,
  selectOptions: 100,
  privateMetadata: 3000,
  /** Modal title, submit and close button texts. */
  viewTitle: 24,
  /**
   * Total visible text of one message's blocks. Slack does not document it, but rejects messages
   * of about 11–13k characters across blocks with `msg_blocks_too_long`; we stay under the low end.
   */
  messageTextBudget: 11_000,
} as const;

export function maxBlocks(surface: BlockSurface): number {
  return surface === 'message' ? BLOCK_LIMITS.blocksPerMessage : BLOCK_LIMITS.blocksPerView;
}

type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Total visible text of a set of blocks: every string under a `text` key (text objects, rich text
 * elements, button labels), which is what Slack's undocumented per-message budget counts.
 */
export function visibleTextLength(value: unknown): number {
  if (Array.isArray(value)) return value.reduce<number>((n, v) => n + visibleTextLength(v), 0);
  if (!isObj(value)) return 0;
  let n = 0;
  for (const [k, v] of Object.entries(value)) {
    if (k === 'text' && typeof v === 'string') n += v.length;
    else if (typeof v === 'object' && v !== null) n += visibleTextLength(v);
  }
  return n;
}

// ---------------------------------------------------------------------------------------------
// Fitting
// ---------------------------------------------------------------------------------------------

const ELLIPSIS = '…';

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}

function cutAt(text: string, n: number): string {
  let s = text.slice(0, Math.max(0, n));
  if (s.length > 0 && isHighSurrogate(s.charCodeAt(s.length - 1))) s = s.slice(0, -1);
  return s;
}

/**
 * Shortens `text` to at most `max` characters, ending in "…". Never splits a surrogate pair; for
 * mrkdwn it also never leaves half a link or mention (`<https://…|label>`, `<@U123>`) or half an
 * HTML entity (`&amp;`), and closes a code block (```) it cut open.
 */
export function truncateText(text: string, max: number, mrkdwn = false): string {
  if (text.length <= max) return text;
  if (max <= 0) return '';
  if (max === 1) return ELLIPSIS;
  let s = cutAt(text, max - 1);
  if (mrkdwn) {
    const open = s.lastIndexOf('<');
    if (open > s.lastIndexOf('>')) s = s.slice(0, open);
    const amp = s.lastIndexOf('&');
    if (amp > s.lastIndexOf(';') && s.length - amp <= 8) s = s.slice(0, amp);
    const fences = s.split('```').length - 1;
    if (fences % 2 === 1) {
      const closing = `${ELLIPSIS}\n\`\`\``;
      if (s.length + closing.length > max) s = cutAt(s, max - closing.length);
      // Cutting further may have removed the opening fence itself.
      if ((s.split('```').length - 1) % 2 === 1) return s + closing;
    }
  }
  return s + ELLIPSIS;
}

function fitTextObject(value: unknown, max: number): void {
  if (!isObj(value) || typeof value.text !== 'string') return;
  value.text = truncateText(value.text, max, value.type === 'mrkdwn');
}

function fitElement(value: unknown): void {
  if (!isObj(value)) return;
  fitTextObject(value.placeholder, BLOCK_LIMITS.placeholder);
  if (value.type === 'button') fitTextObject(value.text, BLOCK_LIMITS.buttonText);
  if (value.type === 'image' && typeof value.alt_text === 'string') value.alt_text = truncateText(value.alt_text, BLOCK_LIMITS.altText);
  if (Array.isArray(value.options)) {
    for (const o of value.options) if (isObj(o)) fitTextObject(o.text, BLOCK_LIMITS.optionText);
  }
}

function fitBlock(block: unknown): void {
  if (!isObj(block)) return;
  switch (block.type) {
    case 'section':
      fitTextObject(block.text, BLOCK_LIMITS.sectionText);
      if (Array.isArray(block.fields)) {
        block.fields = block.fields.slice(0, BLOCK_LIMITS.sectionFields);
        for (const f of block.fields as unknown[]) fitTextObject(f, BLOCK_LIMITS.fieldText);
      }
      fitElement(block.accessory);
      break;
    case 'header':
      fitTextObject(block.text, BLOCK_LIMITS.headerText);
      break;
    case 'context':
      if (Array.isArray(block.elements)) {
        block.elements = block.elements.slice(0, BLOCK_LIMITS.contextElements);
        for (const e of block.elements as unknown[]) {
          if (isObj(e) && e.type === 'image') fitElement(e);
          else fitTextObject(e, BLOCK_LIMITS.sectionText);
        }
      }
      break;
    case 'actions':
      if (Array.isArray(block.elements)) {
        block.elements = block.elements.slice(0, BLOCK_LIMITS.actionsElements);
        for (const e of block.elements as unknown[]) fitElement(e);
      }
      break;
    case 'image':
      if (typeof block.alt_text === 'string') block.alt_text = truncateText(block.alt_text, BLOCK_LIMITS.altText);
      fitTextObject(block.title, BLOCK_LIMITS.imageTitle);
      break;
    case 'input':
      fitTextObject(block.label, BLOCK_LIMITS.inputLabel);
      fitTextObject(block.hint, BLOCK_LIMITS.inputHint);
      fitElement(block.element);
      break;
    default:
      break;
  }
}

export interface FitOptions {
  /** Text of the final context block that stands for dropped blocks. Default `…N more`. */
  moreText?: (dropped: number) => string;
}

function moreBlock(dropped: number, opts: FitOptions): unknown {
  const text = opts.moreText ? opts.moreText(dropped) : `${ELLIPSIS}${dropped} more`;
  return { type: 'context', elements: [{ type: 'mrkdwn', text }] };
}

/**
 * A copy of `blocks` that fits `surface`: text fields are truncated (see {@link truncateText}),
 * surplus section fields, context and actions elements are dropped, and when there are too many
 * blocks (or, in a message, too much text in total) trailing blocks are dropped and replaced by a
 * final context block "…N more". Ids, values and URLs are never altered: they carry data, so a
 * too-long one is still refused (by Slack, and by the stand-in in tests). The input is not modified.
 *
 * The "…N more" block is a context block; `T` is the caller's block type (e.g. `KnownBlock`).
 */
export function fitBlocks<T>(blocks: readonly T[], surface: BlockSurface, opts: FitOptions = {}): T[] {
  const fitted = blocks.map((b) => {
    const copy = structuredClone(b);
    fitBlock(copy);
    return copy;
  });
  const max = maxBlocks(surface);
  let kept = fitted;
  let dropped = 0;
  if (kept.length > max) {
    dropped = kept.length - (max - 1);
    kept = kept.slice(0, max - 1);
  }
  const assemble = (): T[] => (dropped > 0 ? [...kept, moreBlock(dropped, opts) as T] : kept);
  if (surface === 'message') {
    while (kept.length > 0 && visibleTextLength(assemble()) > BLOCK_LIMITS.messageTextBudget) {
      kept = kept.slice(0, -1);
      dropped += 1;
    }
  }
  return assemble();
}
