/**
 * The Slack stand-in's own check of Block Kit limits, as Slack documents them.
 *
 * This is deliberately independent of production's `src/slack/block-limits.ts`: its limits come from
 * the table below, each taken from Slack's Block Kit reference (docs.slack.dev, links beside each
 * entry), not from production's `BLOCK_LIMITS`. The stand-in refuses every Web API call whose blocks
 * or view break one of them, with the error Slack answers (`invalid_blocks`, `msg_blocks_too_long`,
 * `invalid_arguments`), so a wrong production limit, or a builder that ignores one, fails a test
 * instead of failing in front of a user.
 *
 * Lengths are JavaScript string lengths (UTF-16 code units), never less than what Slack counts.
 */

export type Surface = 'message' | 'modal' | 'home';

const _REF = 'https://docs.slack.dev/reference/block-kit';

/** Block Kit limits as Slack's reference states them. */
export const SLACK_LIMITS = {
  /** "You can include up to 50 blocks in each message, and 100 blocks in modals or Home tabs." (https://docs.slack.dev/reference/block-kit/blocks) */
  blocksPerMessage: 50,
  blocksPerView: 100,
  /** Section: text "Maximum length ... 3000 characters"; fields "Maximum number of items is 10", "2000 characters" each (https://docs.slack.dev/reference/block-kit/blocks/section-block). */
  sectionText: 3000,
  sectionFields: 10,
  fieldText: 2000,
  /** Header: plain_text, "Maximum length for the text in this field is 150 characters" (https://docs.slack.dev/reference/block-kit/blocks/header-block). */
  headerText: 150,
  /** Context: "An array of image elements and text objects. Maximum number of items is 10" (https://docs.slack.dev/reference/block-kit/blocks/context-block). */
  contextElements: 10,
  /** A text object's text: at most 3000 characters (https://docs.slack.dev/reference/block-kit/composition-objects/text-object); used for context texts. */
  textObject: 3000,
  /** Actions: "There is a maximum of 25 elements in each action block" (https://docs.slack.dev/reference/block-kit/blocks/actions-block). */
  actionsElements: 25,
  /** Image block and element: image_url 3000, alt_text 2000, title 2000 (https://docs.slack.dev/reference/block-kit/blocks/image-block). */
  imageUrl: 3000,
  altText: 2000,
  imageTitle: 2000,
  /** Input: plain_text label and hint, 2000 each (https://docs.slack.dev/reference/block-kit/blocks/input-block). */
  inputLabel: 2000,
  inputHint: 2000,
  /** Button: plain_text text 75, value 2000, url 3000, style primary or danger (https://docs.slack.dev/reference/block-kit/block-elements/button-element). */
  buttonText: 75,
  buttonValue: 2000,
  buttonUrl: 3000,
  /** block_id, action_id (every block and element), callback_id and external_id (views): 255. */
  id: 255,
  /** Select menus and inputs: plain_text placeholder, 150 (https://docs.slack.dev/reference/block-kit/block-elements/select-menu-element). */
  placeholder: 150,
  /** Option object: text 75, value 150, description 75 (https://docs.slack.dev/reference/block-kit/composition-objects/option-object). */
  optionText: 75,
  optionValue: 150,
  optionDescription: 75,
  /** Option group: label 75, at most 100 options; at most 100 groups (https://docs.slack.dev/reference/block-kit/composition-objects/option-group-object). */
  optionGroupLabel: 75,
  optionGroupOptions: 100,
  optionGroups: 100,
  /** Plain-text input: max_length is at most 3000, so no value (nor initial_value) can be longer (https://docs.slack.dev/reference/block-kit/block-elements/plain-text-input-element). */
  plainTextInput: 3000,
  /** Modal: title, submit and close are plain_text of at most 24 characters; private_metadata 3000 (https://docs.slack.dev/reference/views/modal-views). */
  viewTitle: 24,
  privateMetadata: 3000,
  /**
   * Not documented: Slack answers `msg_blocks_too_long` to messages of about 11–13k characters of
   * text across their blocks (shared/notes/slack.md). The stand-in refuses above the lowest reported
   * total, so what it accepts Slack accepts.
   */
  messageText: 11_000,
} as const;

/** Options per option-bearing element (https://docs.slack.dev/reference/block-kit/block-elements/…): [min, max]. */
const OPTION_COUNTS: Readonly<Record<string, readonly [number, number]>> = {
  /** "Maximum number of options is 100" (select-menu-element, multi-select-menu-element). */
  static_select: [1, 100],
  multi_static_select: [1, 100],
  /** "An array of up to five option objects"; at least two (overflow-menu-element). */
  overflow: [2, 5],
  /** "A maximum of 10 options are allowed" (radio-button-group-element, checkboxes-element). */
  radio_buttons: [1, 10],
  checkboxes: [1, 10],
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

function maxBlocks(surface: Surface): number {
  return surface === 'message' ? SLACK_LIMITS.blocksPerMessage : SLACK_LIMITS.blocksPerView;
}

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
    this.text(value.text, `${path}/text`, SLACK_LIMITS.optionText, 'option text');
    this.str(value.value, `${path}/value`, SLACK_LIMITS.optionValue, 'option value');
    this.text(value.description, `${path}/description`, SLACK_LIMITS.optionDescription, 'option description', { required: false });
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
    this.str(value.action_id, `${path}/action_id`, SLACK_LIMITS.id, 'action_id');
    this.text(value.placeholder, `${path}/placeholder`, SLACK_LIMITS.placeholder, 'placeholder', { required: false, plainOnly: true });
    switch (type) {
      case 'button':
        this.text(value.text, `${path}/text`, SLACK_LIMITS.buttonText, 'button text', { plainOnly: true });
        this.str(value.value, `${path}/value`, SLACK_LIMITS.buttonValue, 'button value');
        this.str(value.url, `${path}/url`, SLACK_LIMITS.buttonUrl, 'button url');
        if (value.style !== undefined && value.style !== 'primary' && value.style !== 'danger') {
          this.add(`${path}/style`, `button style must be primary or danger, got ${JSON.stringify(value.style)}`);
        }
        break;
      case 'image':
        this.str(value.image_url, `${path}/image_url`, SLACK_LIMITS.imageUrl, 'image_url', value.slack_file === undefined);
        this.str(value.alt_text, `${path}/alt_text`, SLACK_LIMITS.altText, 'alt_text', true);
        break;
      case 'plain_text_input':
        this.str(value.initial_value, `${path}/initial_value`, SLACK_LIMITS.plainTextInput, 'initial_value');
        break;
      default: {
        const counts = OPTION_COUNTS[type];
        if (counts !== undefined) {
          const [min, max] = counts;
          const options = this.array(value.options, `${path}/options`, max, `${type} options`, value.option_groups === undefined ? min : 0);
          options.forEach((o, i) => this.option(o, `${path}/options/${i}`));
          const groups = this.array(value.option_groups, `${path}/option_groups`, SLACK_LIMITS.optionGroups, 'option_groups');
          groups.forEach((g, gi) => {
            if (!isObj(g)) return;
            this.text(g.label, `${path}/option_groups/${gi}/label`, SLACK_LIMITS.optionGroupLabel, 'option group label', { plainOnly: true });
            this.array(g.options, `${path}/option_groups/${gi}/options`, SLACK_LIMITS.optionGroupOptions, 'option group options', 1).forEach((o, i) =>
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
    this.str(block.block_id, `${path}/block_id`, SLACK_LIMITS.id, 'block_id');
    switch (type) {
      case 'section': {
        if (block.text === undefined && block.fields === undefined) {
          this.add(path, 'section needs text or fields');
        }
        this.text(block.text, `${path}/text`, SLACK_LIMITS.sectionText, 'section text', { required: false });
        const fields = this.array(block.fields, `${path}/fields`, SLACK_LIMITS.sectionFields, 'section fields');
        fields.forEach((f, i) => this.text(f, `${path}/fields/${i}`, SLACK_LIMITS.fieldText, 'section field'));
        if (block.accessory !== undefined) this.element(block.accessory, `${path}/accessory`);
        break;
      }
      case 'header':
        this.text(block.text, `${path}/text`, SLACK_LIMITS.headerText, 'header text', { plainOnly: true });
        break;
      case 'context': {
        const elements = this.array(block.elements, `${path}/elements`, SLACK_LIMITS.contextElements, 'context elements', 1);
        elements.forEach((e, i) => {
          const p = `${path}/elements/${i}`;
          if (isObj(e) && e.type === 'image') this.element(e, p);
          else this.text(e, p, SLACK_LIMITS.textObject, 'context text');
        });
        break;
      }
      case 'actions': {
        const elements = this.array(block.elements, `${path}/elements`, SLACK_LIMITS.actionsElements, 'actions elements', 1);
        elements.forEach((e, i) => this.element(e, `${path}/elements/${i}`));
        break;
      }
      case 'image':
        this.str(block.image_url, `${path}/image_url`, SLACK_LIMITS.imageUrl, 'image_url', block.slack_file === undefined);
        this.str(block.alt_text, `${path}/alt_text`, SLACK_LIMITS.altText, 'alt_text', true);
        this.text(block.title, `${path}/title`, SLACK_LIMITS.imageTitle, 'image title', { required: false, plainOnly: true });
        break;
      case 'input':
        this.text(block.label, `${path}/label`, SLACK_LIMITS.inputLabel, 'input label', { plainOnly: true });
        this.text(block.hint, `${path}/hint`, SLACK_LIMITS.inputHint, 'input hint', { required: false, plainOnly: true });
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
 * Characters of text in a message's blocks, as the stand-in counts them for Slack's per-message
 * total: every string under a `text` key, at any depth (text objects, rich text, button labels).
 */
export function messageTextLength(value: unknown): number {
  if (Array.isArray(value)) return value.reduce<number>((n, v) => n + messageTextLength(v), 0);
  if (!isObj(value)) return 0;
  let n = 0;
  for (const [k, v] of Object.entries(value)) {
    if (k === 'text' && typeof v === 'string') n += v.length;
    else if (typeof v === 'object' && v !== null) n += messageTextLength(v);
  }
  return n;
}

/** Every problem in `blocks` for `surface`, with JSON pointers under `basePath`. */
export function inspectBlocks(blocks: unknown, surface: Surface, basePath = '/blocks'): BlockProblem[] {
  const c = new Checker();
  if (!Array.isArray(blocks)) {
    c.add(basePath, 'blocks must be an array');
    return c.problems;
  }
  const max = maxBlocks(surface);
  if (blocks.length > max) c.add(basePath, `${blocks.length} blocks, limit ${max} in a ${surface}`);
  blocks.forEach((b, i) => c.block(b, `${basePath}/${i}`));
  if (surface === 'message') {
    const total = messageTextLength(blocks);
    if (total > SLACK_LIMITS.messageText) {
      c.add(basePath, `${total} characters of text across blocks, budget ${SLACK_LIMITS.messageText} per message`, 'msg_blocks_too_long');
    }
  }
  return c.problems;
}

/** Problems in `blocks` for `surface`, one readable line each; empty when Slack would accept them. */
export function checkBlocks(blocks: unknown, surface: Surface): string[] {
  return inspectBlocks(blocks, surface).map(formatProblem);
}

/** Throws a {@link BlockLimitError} listing every problem, if there is any. */
export function assertBlocks(blocks: unknown, surface: Surface): void {
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
    c.text(view.title, '/view/title', SLACK_LIMITS.viewTitle, 'modal title', { plainOnly: true });
    c.text(view.submit, '/view/submit', SLACK_LIMITS.viewTitle, 'modal submit', { required: false, plainOnly: true });
    c.text(view.close, '/view/close', SLACK_LIMITS.viewTitle, 'modal close', { required: false, plainOnly: true });
    const hasInput = Array.isArray(view.blocks) && view.blocks.some((b) => isObj(b) && b.type === 'input');
    if (hasInput && view.submit === undefined) c.add('/view/submit', 'a modal with input blocks needs a submit button');
  }
  c.str(view.callback_id, '/view/callback_id', SLACK_LIMITS.id, 'callback_id');
  c.str(view.external_id, '/view/external_id', SLACK_LIMITS.id, 'external_id');
  c.str(view.private_metadata, '/view/private_metadata', SLACK_LIMITS.privateMetadata, 'private_metadata');
  return [...c.problems, ...inspectBlocks(view.blocks, type, '/view/blocks')];
}

export function checkView(view: unknown): string[] {
  return inspectView(view).map(formatProblem);
}

export function assertView(view: unknown): void {
  const problems = inspectView(view);
  if (problems.length > 0) throw new BlockLimitError(problems, 'view');
}
