import { describe, expect, it } from 'vitest';
import {
  BlockLimitError,
  SLACK_LIMITS,
  assertBlocks,
  assertView,
  checkBlocks,
  checkView,
  inspectBlocks,
  messageTextLength,
} from '../support/block-kit-check.ts';

/**
 * The Slack stand-in's own Block Kit check (test/support/block-kit-check.ts), against the limits
 * Slack documents. Production's fitter is tested against it in block-limits.test.ts.
 */

const x = (n: number, c = 'x'): string => c.repeat(n);
const section = (text: string): Record<string, unknown> => ({ type: 'section', text: { type: 'mrkdwn', text } });
const button = (o: Record<string, unknown> = {}): Record<string, unknown> => ({
  type: 'button',
  action_id: 'a',
  text: { type: 'plain_text', text: 'Go' },
  ...o,
});
const actions = (...elements: unknown[]): Record<string, unknown> => ({ type: 'actions', elements });
const divider = { type: 'divider' };

describe('checkBlocks', () => {
  it('accepts a typical message', () => {
    const blocks = [
      { type: 'header', text: { type: 'plain_text', text: 'AI spend' } },
      section('*$1,012.35* across 3 calls'),
      {
        type: 'section',
        fields: [
          { type: 'mrkdwn', text: 'a' },
          { type: 'mrkdwn', text: 'b' },
        ],
      },
      { type: 'image', image_url: 'https://quickchart.io/chart?c=1', alt_text: 'chart' },
      { type: 'context', elements: [{ type: 'mrkdwn', text: 'note' }] },
      actions(button({ value: 'v', style: 'primary' })),
      divider,
    ];
    expect(checkBlocks(blocks, 'message')).toEqual([]);
    expect(() => assertBlocks(blocks, 'message')).not.toThrow();
  });

  it('allows 50 blocks in a message and 100 in a modal or the Home tab', () => {
    const fifty = Array.from({ length: 50 }, () => divider);
    expect(checkBlocks(fifty, 'message')).toEqual([]);
    expect(checkBlocks([...fifty, divider], 'message')).toEqual(['/blocks: 51 blocks, limit 50 in a message']);
    const hundred = Array.from({ length: 100 }, () => divider);
    expect(checkBlocks(hundred, 'modal')).toEqual([]);
    expect(checkBlocks(hundred, 'home')).toEqual([]);
    expect(checkBlocks([...hundred, divider], 'home')).toEqual(['/blocks: 101 blocks, limit 100 in a home']);
  });

  it('limits section text to 3000 and requires it non-empty', () => {
    expect(checkBlocks([section(x(3000))], 'message')).toEqual([]);
    expect(checkBlocks([section(x(3001))], 'message')).toEqual(['/blocks/0/text/text: section text is 3001 characters, limit 3000']);
    expect(checkBlocks([section('')], 'message')).toEqual(['/blocks/0/text/text: section text must not be empty']);
    expect(checkBlocks([{ type: 'section' }], 'message')).toEqual(['/blocks/0: section needs text or fields']);
  });

  it('limits section fields to 10 of 2000 characters each', () => {
    const field = (n: number) => ({ type: 'mrkdwn', text: x(n) });
    expect(checkBlocks([{ type: 'section', fields: Array.from({ length: 10 }, () => field(5)) }], 'message')).toEqual([]);
    expect(checkBlocks([{ type: 'section', fields: Array.from({ length: 11 }, () => field(5)) }], 'message')).toEqual([
      '/blocks/0/fields: section fields has 11 items, limit 10',
    ]);
    expect(checkBlocks([{ type: 'section', fields: [field(2000)] }], 'modal')).toEqual([]);
    expect(checkBlocks([{ type: 'section', fields: [field(2001)] }], 'modal')).toEqual([
      '/blocks/0/fields/0/text: section field is 2001 characters, limit 2000',
    ]);
  });

  it('limits header text to 150 plain_text characters', () => {
    const header = (text: string, type = 'plain_text') => ({ type: 'header', text: { type, text } });
    expect(checkBlocks([header(x(150))], 'message')).toEqual([]);
    expect(checkBlocks([header(x(151))], 'message')).toEqual(['/blocks/0/text/text: header text is 151 characters, limit 150']);
    expect(checkBlocks([header('hi', 'mrkdwn')], 'message')).toEqual(['/blocks/0/text/type: header text must be plain_text']);
  });

  it('limits button text to 75, value to 2000, url to 3000 and style to primary/danger', () => {
    expect(checkBlocks([actions(button({ text: { type: 'plain_text', text: x(75) }, value: x(2000), url: `https://e.com/${x(2986)}` }))], 'message')).toEqual(
      [],
    );
    expect(checkBlocks([actions(button({ text: { type: 'plain_text', text: x(76) } }))], 'message')).toEqual([
      '/blocks/0/elements/0/text/text: button text is 76 characters, limit 75',
    ]);
    expect(checkBlocks([actions(button({ value: x(2001) }))], 'message')).toEqual(['/blocks/0/elements/0/value: button value is 2001 characters, limit 2000']);
    expect(checkBlocks([actions(button({ url: x(3001) }))], 'message')).toEqual(['/blocks/0/elements/0/url: button url is 3001 characters, limit 3000']);
    expect(checkBlocks([actions(button({ style: 'green' }))], 'message')).toEqual([
      '/blocks/0/elements/0/style: button style must be primary or danger, got "green"',
    ]);
    // A button as a section accessory is checked the same way.
    expect(checkBlocks([{ ...section('a'), accessory: button({ value: x(2001) }) }], 'message')).toEqual([
      '/blocks/0/accessory/value: button value is 2001 characters, limit 2000',
    ]);
  });

  it('limits block_id and action_id to 255', () => {
    expect(checkBlocks([{ ...divider, block_id: x(255) }, actions(button({ action_id: x(255) }))], 'message')).toEqual([]);
    expect(checkBlocks([{ ...divider, block_id: x(256) }], 'message')).toEqual(['/blocks/0/block_id: block_id is 256 characters, limit 255']);
    expect(checkBlocks([actions(button({ action_id: x(256) }))], 'message')).toEqual([
      '/blocks/0/elements/0/action_id: action_id is 256 characters, limit 255',
    ]);
  });

  it('limits image_url to 3000 and requires alt_text', () => {
    const url = (n: number) => `https://quickchart.io/chart?c=${x(n - 30)}`;
    expect(url(3000)).toHaveLength(3000);
    expect(checkBlocks([{ type: 'image', image_url: url(3000), alt_text: 'chart' }], 'message')).toEqual([]);
    expect(checkBlocks([{ type: 'image', image_url: url(3001), alt_text: 'chart' }], 'message')).toEqual([
      '/blocks/0/image_url: image_url is 3001 characters, limit 3000',
    ]);
    expect(checkBlocks([{ type: 'image', image_url: 'https://e.com/a.png' }], 'message')).toEqual(['/blocks/0/alt_text: alt_text is required']);
    // Image elements inside context blocks too.
    expect(checkBlocks([{ type: 'context', elements: [{ type: 'image', image_url: url(3001), alt_text: 'a' }] }], 'message')).toEqual([
      '/blocks/0/elements/0/image_url: image_url is 3001 characters, limit 3000',
    ]);
  });

  it('limits context elements to 10 and actions elements to 25', () => {
    const el = { type: 'mrkdwn', text: 'n' };
    expect(checkBlocks([{ type: 'context', elements: Array.from({ length: 10 }, () => el) }], 'message')).toEqual([]);
    expect(checkBlocks([{ type: 'context', elements: Array.from({ length: 11 }, () => el) }], 'message')).toEqual([
      '/blocks/0/elements: context elements has 11 items, limit 10',
    ]);
    expect(checkBlocks([{ type: 'context', elements: [] }], 'message')).toEqual(['/blocks/0/elements: context elements needs at least 1 item']);
    expect(checkBlocks([actions(...Array.from({ length: 26 }, () => button()))], 'message')).toEqual([
      '/blocks/0/elements: actions elements has 26 items, limit 25',
    ]);
  });

  it('checks select options', () => {
    const opt = (t: string, v: string) => ({ text: { type: 'plain_text', text: t }, value: v });
    const select = (options: unknown[]) => actions({ type: 'static_select', action_id: 's', options });
    expect(checkBlocks([select([opt('a', 'a')])], 'message')).toEqual([]);
    expect(checkBlocks([select([opt(x(76), x(151))])], 'message')).toEqual([
      '/blocks/0/elements/0/options/0/text/text: option text is 76 characters, limit 75',
      '/blocks/0/elements/0/options/0/value: option value is 151 characters, limit 150',
    ]);
    expect(checkBlocks([select(Array.from({ length: 101 }, () => opt('a', 'a')))], 'message')).toEqual([
      '/blocks/0/elements/0/options: static_select options has 101 items, limit 100',
    ]);
  });

  it('rejects malformed text objects and blocks', () => {
    expect(checkBlocks([{ type: 'section', text: 'plain string' }], 'message')).toEqual(['/blocks/0/text: section text must be a text object']);
    expect(checkBlocks([{ type: 'section', text: { type: 'markdown', text: 'a' } }], 'message')).toEqual([
      '/blocks/0/text/type: section text type must be plain_text or mrkdwn, got "markdown"',
    ]);
    expect(checkBlocks([null, {}], 'message')).toEqual(['/blocks/0: block must be an object', '/blocks/1/type: block type is required']);
    expect(checkBlocks('nope', 'message')).toEqual(['/blocks: blocks must be an array']);
  });

  it('keeps a message within the 11,000 character text budget, reported as msg_blocks_too_long', () => {
    const four = Array.from({ length: 4 }, () => section(x(2750)));
    expect(messageTextLength(four)).toBe(11_000);
    expect(checkBlocks(four, 'message')).toEqual([]);
    const over = [...four, section('y')];
    expect(checkBlocks(over, 'message')).toEqual(['/blocks: 11001 characters of text across blocks, budget 11000 per message']);
    expect(inspectBlocks(over, 'message')[0]?.code).toBe('msg_blocks_too_long');
    // Views have no such budget.
    expect(checkBlocks(over, 'modal')).toEqual([]);
  });

  it('assertBlocks throws a BlockLimitError listing every problem', () => {
    const blocks = [section(x(3001)), { type: 'header', text: { type: 'plain_text', text: x(151) } }];
    let thrown: unknown;
    try {
      assertBlocks(blocks, 'message');
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(BlockLimitError);
    expect((thrown as BlockLimitError).problems).toHaveLength(2);
    expect((thrown as Error).message).toContain('/blocks/1/text/text: header text is 151 characters, limit 150');
  });
});

describe('checkView', () => {
  const modal = (o: Record<string, unknown> = {}) => ({
    type: 'modal',
    callback_id: 'budget_request',
    title: { type: 'plain_text', text: 'Request budget' },
    submit: { type: 'plain_text', text: 'Send' },
    blocks: [{ type: 'input', block_id: 'amount', label: { type: 'plain_text', text: 'Amount' }, element: { type: 'plain_text_input', action_id: 'v' } }],
    ...o,
  });

  it('accepts a valid modal and Home view', () => {
    expect(checkView(modal())).toEqual([]);
    expect(checkView({ type: 'home', blocks: [section('hi')] })).toEqual([]);
  });

  it('checks title, buttons, callback_id, private_metadata and blocks', () => {
    expect(checkView(modal({ title: { type: 'plain_text', text: x(25) } }))).toEqual(['/view/title/text: modal title is 25 characters, limit 24']);
    expect(checkView(modal({ submit: undefined }))).toEqual(['/view/submit: a modal with input blocks needs a submit button']);
    expect(checkView(modal({ callback_id: x(256) }))).toEqual(['/view/callback_id: callback_id is 256 characters, limit 255']);
    expect(checkView(modal({ private_metadata: x(3000) }))).toEqual([]);
    expect(checkView(modal({ private_metadata: x(3001) }))).toEqual(['/view/private_metadata: private_metadata is 3001 characters, limit 3000']);
    expect(checkView({ type: 'home', blocks: Array.from({ length: 101 }, () => divider) })).toEqual(['/view/blocks: 101 blocks, limit 100 in a home']);
    expect(checkView({ type: 'message', blocks: [] })).toEqual(['/view/type: view type must be modal or home, got "message"']);
    expect(() => assertView(modal({ callback_id: x(256) }))).toThrow(BlockLimitError);
  });
});

describe("the stand-in's limits table", () => {
  it('holds the limits Slack documents', () => {
    expect(SLACK_LIMITS).toMatchObject({
      blocksPerMessage: 50,
      blocksPerView: 100,
      sectionText: 3000,
      sectionFields: 10,
      fieldText: 2000,
      headerText: 150,
      contextElements: 10,
      actionsElements: 25,
      buttonText: 75,
      buttonValue: 2000,
      id: 255,
      optionText: 75,
      optionValue: 150,
      viewTitle: 24,
      privateMetadata: 3000,
    });
  });

  it('checks option groups, overflow menus, radio buttons and input texts', () => {
    const opt = (t = 'a') => ({ text: { type: 'plain_text', text: t }, value: 'v' });
    const el = (e: Record<string, unknown>) => [{ type: 'actions', elements: [{ action_id: 'a', ...e }] }];
    expect(checkBlocks(el({ type: 'overflow', options: [opt(), opt()] }), 'message')).toEqual([]);
    expect(checkBlocks(el({ type: 'overflow', options: [opt()] }), 'message')).toEqual([
      '/blocks/0/elements/0/options: overflow options needs at least 2 items',
    ]);
    expect(checkBlocks(el({ type: 'overflow', options: Array.from({ length: 6 }, () => opt()) }), 'message')).toEqual([
      '/blocks/0/elements/0/options: overflow options has 6 items, limit 5',
    ]);
    expect(checkBlocks(el({ type: 'radio_buttons', options: Array.from({ length: 11 }, () => opt()) }), 'modal')).toEqual([
      '/blocks/0/elements/0/options: radio_buttons options has 11 items, limit 10',
    ]);
    const group = (label: string) => ({ label: { type: 'plain_text', text: label }, options: [opt()] });
    expect(checkBlocks(el({ type: 'static_select', option_groups: [group(x(75))] }), 'message')).toEqual([]);
    expect(checkBlocks(el({ type: 'static_select', option_groups: [group(x(76))] }), 'message')).toEqual([
      '/blocks/0/elements/0/option_groups/0/label/text: option group label is 76 characters, limit 75',
    ]);
    const input = (o: Record<string, unknown>) => [
      { type: 'input', label: { type: 'plain_text', text: 'Note' }, element: { type: 'plain_text_input', action_id: 'n' }, ...o },
    ];
    expect(checkBlocks(input({ hint: { type: 'plain_text', text: x(2001) } }), 'modal')).toEqual([
      '/blocks/0/hint/text: input hint is 2001 characters, limit 2000',
    ]);
    expect(checkBlocks(input({ element: { type: 'plain_text_input', action_id: 'n', initial_value: x(3001) } }), 'modal')).toEqual([
      '/blocks/0/element/initial_value: initial_value is 3001 characters, limit 3000',
    ]);
  });
});
