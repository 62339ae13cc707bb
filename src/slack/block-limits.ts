/**
 * Block Kit limits, checked before Slack checks them.
 *
 * Slack rejects a message or view that breaks any of these with `invalid_blocks` (messages),
 * `invalid_arguments` (views) or `msg_blocks_too_long`, and the client does not retry. This module
 * is pure (no I/O, no Slack client): block builders are unit-tested against it, and the test
 * stand-in Slack server enforces it on every call, so an oversize answer fails in tests rather than
 * in front of a user.
 *
 * Lengths are JavaScript string lengths (UTF-16 code units). That is never less than the number of
 * characters Slack counts, so a check that passes here passes there.
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

/** How many options each option-bearing element accepts. */
const OPTION_LIMITS: Readonly<Record<string, number>> = {
  static_select: 100,
  multi_static_select: 100,
  overflow: 5,
  radio_buttons: 10,
  checkboxes: 10,
};

export type BlockProblemCode = 'invalid_blocks' | 'msg_blocks_too_long';

export interface BlockProblem {
  /** JSON pointer into the checked value, as Slack reports it (e.g. `/blocks/3/text/text`). */
  path: string;
  message: string;
  /** The error Slack answers with for this problem. */
  code: BlockProblemCode;
}

export class BlockLimitError extends Error {
  readonly problems: readonly BlockProblem[];
  constructor(problems: readonly BlockProblem[], what = 'blocks') {
    super(`${what} break Slack limits:\n${problems.map(formatProblem).join('\n')}`);
    this.name = 'BlockLimitError';
    this.problems = problems;
  }
}

export function formatProblem(p: BlockProblem): string {
  return `${p.path}: ${p.message}`;
}

export function maxBlocks(surface: BlockSurface): number {
  return surface === 'message' ? BLOCK_LIMITS.blocksPerMessage : BLOCK_LIMITS.blocksPerView;
}

// ---------------------------------------------------------------------------------------------
// Checking
// ---------------------------------------------------------------------------------------------

type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

class Checker {
  readonly problems: BlockProblem[] = [];

  add(path: string, message: string, code: BlockProblemCode = 'invalid_blocks'): void {
    this.problems.push({ path, message, code });
  }

  /** An optional string no longer than `max`. */
  str(value: unknown, path: string, max: number, what: string, required = false): void {
    if (value === undefined || value === null) {
      if (required) this.add(path, `${what} is required`);
      return;
    }
    if (typeof value !== 'string') {
      this.add(path, `${what} must be a string`);
      return;
    }
    if (required && value.length === 0) this.add(path, `${what} must not be empty`);
    if (value.length > max) this.add(path, `${what} is ${value.length} characters, limit ${max}`);
  }

  /** A text object `{ type: 'plain_text' | 'mrkdwn', text }` whose text is 1..max characters. */
  text(value: unknown, path: string, max: number, what: string, opts: { required?: boolean; plainOnly?: boolean } = {}): void {
    const { required = true, plainOnly = false } = opts;
    if (value === undefined || value === null) {
      if (required) this.add(path, `${what} is required`);
      return;
    }
    if (!isObj(value)) {
      this.add(path, `${what} must be a text object`);
      return;
    }
    const type = value.type;
    if (type !== 'plain_text' && type !== 'mrkdwn') {
      this.add(`${path}/type`, `${what} type must be plain_text or mrkdwn, got ${JSON.stringify(type)}`);
    } else if (plainOnly && type !== 'plain_text') {
      this.add(`${path}/type`, `${what} must be plain_text`);
    }
    const text = value.text;
    if (typeof text !== 'string') {
      this.add(`${path}/text`, `${what} text must be a string`);
      return;
    }
    if (text.length === 0) this.add(`${path}/text`, `${what} must not be empty`);
    if (text.length > max) this.add(`${path}/text`, `${what} is ${text.length} characters, limit ${max}`);
  }

  array(value: unknown, path: string, max: number, what: string, min = 0): unknown[] {
    if (value === undefined || value === null) {
      if (min > 0) this.add(path, `${what} is required`);
      return [];
    }
    if (!Array.isArray(value)) {
      this.add(path, `${what} must be an array`);
      return [];
    }
    if (value.length < min) this.add(path, `${what} needs at least ${min} item${min === 1 ? '' : 's'}`);
    if (value.length > max) this.add(path, `${what} has ${value.length} items, limit ${max}`);
    return value;
  }

  option(value: unknown, path: string): void {
    if (!isObj(value)) {
      this.add(path, 'option must be an object');
      return;
    }
    this.text(value.text, `${path}/text`, BLOCK_LIMITS.optionText, 'option text');
    this.str(value.value, `${path}/value`, BLOCK_LIMITS.optionValue, 'option value');
    this.text(value.description, `${path}/description`, BLOCK_LIMITS.optionDescription, 'option description', { required: false });
  }

  element(value: unknown, path: string): void {
    if (!isObj(value)) {
      this.add(path, 'element must be an object');
      return;
    }
    const type = value.type;
    if (typeof type !== 'string') {
      this.add(`${path}/type`, 'element type is required');
      return;
    }
    this.str(value.action_id, `${path}/action_id`, BLOCK_LIMITS.id, 'action_id');
    this.text(value.placeholder, `${path}/placeholder`, BLOCK_LIMITS.placeholder, 'placeholder', { required: false, plainOnly: true });
    switch (type) {
      case 'button':
        this.text(value.text, `${path}/text`, BLOCK_LIMITS.buttonText, 'button text', { plainOnly: true });
        this.str(value.value, `${path}/value`, BLOCK_LIMITS.buttonValue, 'button value');
        this.str(value.url, `${path}/url`, BLOCK_LIMITS.buttonUrl, 'button url');
        if (value.style !== undefined && value.style !== 'primary' && value.style !== 'danger') {
          this.add(`${path}/style`, `button style must be primary or danger, got ${JSON.stringify(value.style)}`);
        }
        break;
      case 'image':
        this.str(value.image_url, `${path}/image_url`, BLOCK_LIMITS.imageUrl, 'image_url', value.slack_file === undefined);
        this.str(value.alt_text, `${path}/alt_text`, BLOCK_LIMITS.altText, 'alt_text', true);
        break;
      case 'plain_text_input':
        this.str(value.initial_value, `${path}/initial_value`, 3000, 'initial_value');
        break;
      default: {
        const max = OPTION_LIMITS[type];
        if (max !== undefined) {
          const min = type === 'overflow' ? 2 : 0;
          const options = this.array(value.options, `${path}/options`, max, `${type} options`, value.option_groups === undefined ? Math.max(min, 1) : 0);
          options.forEach((o, i) => this.option(o, `${path}/options/${i}`));
          const groups = this.array(value.option_groups, `${path}/option_groups`, 100, 'option_groups');
          groups.forEach((g, gi) => {
            if (!isObj(g)) return;
            this.text(g.label, `${path}/option_groups/${gi}/label`, BLOCK_LIMITS.optionText, 'option group label', { plainOnly: true });
            this.array(g.options, `${path}/option_groups/${gi}/options`, 100, 'option group options', 1).forEach((o, i) =>
              this.option(o, `${path}/option_groups/${gi}/options/${i}`),
            );
          });
        }
      }
    }
  }

  block(block: unknown, path: string): void {
    if (!isObj(block)) {
      this.add(path, 'block must be an object');
      return;
    }
    const type = block.type;
    if (typeof type !== 'string' || type.length === 0) {
      this.add(`${path}/type`, 'block type is required');
      return;
    }
    this.str(block.block_id, `${path}/block_id`, BLOCK_LIMITS.id, 'block_id');
    switch (type) {
      case 'section': {
        if (block.text === undefined && block.fields === undefined) {
          this.add(path, 'section needs text or fields');
        }
        this.text(block.text, `${path}/text`, BLOCK_LIMITS.sectionText, 'section text', { required: false });
        const fields = this.array(block.fields, `${path}/fields`, BLOCK_LIMITS.sectionFields, 'section fields');
        fields.forEach((f, i) => this.text(f, `${path}/fields/${i}`, BLOCK_LIMITS.fieldText, 'section field'));
        if (block.accessory !== undefined) this.element(block.accessory, `${path}/accessory`);
        break;
      }
      case 'header':
        this.text(block.text, `${path}/text`, BLOCK_LIMITS.headerText, 'header text', { plainOnly: true });
        break;
      case 'context': {
        const elements = this.array(block.elements, `${path}/elements`, BLOCK_LIMITS.contextElements, 'context elements', 1);
        elements.forEach((e, i) => {
          const p = `${path}/elements/${i}`;
          if (isObj(e) && e.type === 'image') this.element(e, p);
          else this.text(e, p, BLOCK_LIMITS.sectionText, 'context text');
        });
        break;
      }
      case 'actions': {
        const elements = this.array(block.elements, `${path}/elements`, BLOCK_LIMITS.actionsElements, 'actions elements', 1);
        elements.forEach((e, i) => this.element(e, `${path}/elements/${i}`));
        break;
      }
      case 'image':
        this.str(block.image_url, `${path}/image_url`, BLOCK_LIMITS.imageUrl, 'image_url', block.slack_file === undefined);
        this.str(block.alt_text, `${path}/alt_text`, BLOCK_LIMITS.altText, 'alt_text', true);
        this.text(block.title, `${path}/title`, BLOCK_LIMITS.imageTitle, 'image title', { required: false, plainOnly: true });
        break;
      case 'input':
        this.text(block.label, `${path}/label`, BLOCK_LIMITS.inputLabel, 'input label', { plainOnly: true });
        this.text(block.hint, `${path}/hint`, BLOCK_LIMITS.inputHint, 'input hint', { required: false, plainOnly: true });
        if (block.element === undefined) this.add(`${path}/element`, 'input element is required');
        else this.element(block.element, `${path}/element`);
        break;
      default:
        // divider, rich_text, markdown, file, video, …: only block_id and the message budget apply.
        break;
    }
  }
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

/** Every problem in `blocks` for `surface`, with JSON pointers under `basePath`. */
export function inspectBlocks(blocks: unknown, surface: BlockSurface, basePath = '/blocks'): BlockProblem[] {
  const c = new Checker();
  if (!Array.isArray(blocks)) {
    c.add(basePath, 'blocks must be an array');
    return c.problems;
  }
  const max = maxBlocks(surface);
  if (blocks.length > max) c.add(basePath, `${blocks.length} blocks, limit ${max} in a ${surface}`);
  blocks.forEach((b, i) => c.block(b, `${basePath}/${i}`));
  if (surface === 'message') {
    const total = visibleTextLength(blocks);
    if (total > BLOCK_LIMITS.messageTextBudget) {
      c.add(basePath, `${total} characters of text across blocks, budget ${BLOCK_LIMITS.messageTextBudget} per message`, 'msg_blocks_too_long');
    }
  }
  return c.problems;
}

/** Problems in `blocks` for `surface`, one readable line each; empty when Slack would accept them. */
export function checkBlocks(blocks: unknown, surface: BlockSurface): string[] {
  return inspectBlocks(blocks, surface).map(formatProblem);
}

/** Throws a {@link BlockLimitError} listing every problem, if there is any. */
export function assertBlocks(blocks: unknown, surface: BlockSurface): void {
  const problems = inspectBlocks(blocks, surface);
  if (problems.length > 0) throw new BlockLimitError(problems);
}

/**
 * Every problem in a view (`views.open` / `update` / `push` / `publish`): its type, title and
 * buttons, callback_id, private_metadata and its blocks (at `/view/blocks/…`).
 */
export function inspectView(view: unknown): BlockProblem[] {
  const c = new Checker();
  if (!isObj(view)) {
    c.add('/view', 'view must be an object');
    return c.problems;
  }
  const type = view.type;
  if (type !== 'modal' && type !== 'home') {
    c.add('/view/type', `view type must be modal or home, got ${JSON.stringify(type)}`);
    return c.problems;
  }
  if (type === 'modal') {
    c.text(view.title, '/view/title', BLOCK_LIMITS.viewTitle, 'modal title', { plainOnly: true });
    c.text(view.submit, '/view/submit', BLOCK_LIMITS.viewTitle, 'modal submit', { required: false, plainOnly: true });
    c.text(view.close, '/view/close', BLOCK_LIMITS.viewTitle, 'modal close', { required: false, plainOnly: true });
    const hasInput = Array.isArray(view.blocks) && view.blocks.some((b) => isObj(b) && b.type === 'input');
    if (hasInput && view.submit === undefined) c.add('/view/submit', 'a modal with input blocks needs a submit button');
  }
  c.str(view.callback_id, '/view/callback_id', BLOCK_LIMITS.id, 'callback_id');
  c.str(view.external_id, '/view/external_id', BLOCK_LIMITS.id, 'external_id');
  c.str(view.private_metadata, '/view/private_metadata', BLOCK_LIMITS.privateMetadata, 'private_metadata');
  return [...c.problems, ...inspectBlocks(view.blocks, type, '/view/blocks')];
}

export function checkView(view: unknown): string[] {
  return inspectView(view).map(formatProblem);
}

export function assertView(view: unknown): void {
  const problems = inspectView(view);
  if (problems.length > 0) throw new BlockLimitError(problems, 'view');
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
 * too-long one is still reported by {@link checkBlocks}. The input is not modified.
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
