import { describe, expect, it } from 'vitest';
import {
  BLOCK_LIMITS,
  BlockLimitError,
  assertBlocks,
  assertView,
  checkBlocks,
  checkView,
  fitBlocks,
  inspectBlocks,
  truncateText,
  visibleTextLength,
} from '../../src/slack/block-limits.ts';

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
      { type: 'section', fields: [{ type: 'mrkdwn', text: 'a' }, { type: 'mrkdwn', text: 'b' }] },
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
    expect(checkBlocks([actions(button({ text: { type: 'plain_text', text: x(75) }, value: x(2000), url: `https://e.com/${x(2986)}` }))], 'message')).toEqual([]);
    expect(checkBlocks([actions(button({ text: { type: 'plain_text', text: x(76) } }))], 'message')).toEqual([
      '/blocks/0/elements/0/text/text: button text is 76 characters, limit 75',
    ]);
    expect(checkBlocks([actions(button({ value: x(2001) }))], 'message')).toEqual([
      '/blocks/0/elements/0/value: button value is 2001 characters, limit 2000',
    ]);
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
    expect(visibleTextLength(four)).toBe(11_000);
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
    expect(checkView(modal({ private_metadata: x(3001) }))).toEqual([
      '/view/private_metadata: private_metadata is 3001 characters, limit 3000',
    ]);
    expect(checkView({ type: 'home', blocks: Array.from({ length: 101 }, () => divider) })).toEqual([
      '/view/blocks: 101 blocks, limit 100 in a home',
    ]);
    expect(checkView({ type: 'message', blocks: [] })).toEqual(['/view/type: view type must be modal or home, got "message"']);
    expect(() => assertView(modal({ callback_id: x(256) }))).toThrow(BlockLimitError);
  });
});

describe('truncateText', () => {
  it('leaves short text alone and ends cut text with an ellipsis', () => {
    expect(truncateText('abc', 3)).toBe('abc');
    expect(truncateText('abcdef', 4)).toBe('abc…');
  });

  it('never splits a surrogate pair', () => {
    const s = `${x(8)}😀😀`;
    const cut = truncateText(s, 10);
    expect(cut.length).toBeLessThanOrEqual(10);
    expect(cut).toBe(`${x(8)}…`);
  });

  it('never leaves half a link, mention or entity in mrkdwn', () => {
    expect(truncateText('see <https://example.com/very/long|the report>', 20, true)).toBe('see …');
    expect(truncateText('ask <@U0ALICE> now please', 10, true)).toBe('ask …');
    expect(truncateText('R&amp;D spend', 5, true)).toBe('R…');
    expect(truncateText('R&amp;D spend', 7, true)).toBe('R&amp;…');
  });

  it('closes a code block it cut open, within the limit', () => {
    const s = `Top teams\n\`\`\`\n${x(100)}\n\`\`\``;
    const cut = truncateText(s, 50, true);
    expect(cut.length).toBeLessThanOrEqual(50);
    expect(cut.endsWith('…\n```')).toBe(true);
    expect(cut.split('```').length - 1).toBe(2);
  });
});

describe('fitBlocks', () => {
  it('truncates every kind of text to its limit and then passes checkBlocks', () => {
    const blocks = [
      { type: 'header', text: { type: 'plain_text', text: x(200) } },
      { ...section(x(4000)), accessory: button({ text: { type: 'plain_text', text: x(80) } }) },
      { type: 'section', fields: Array.from({ length: 12 }, () => ({ type: 'mrkdwn', text: x(300) })) },
      { type: 'context', elements: Array.from({ length: 12 }, () => ({ type: 'mrkdwn', text: 'n' })) },
      { type: 'image', image_url: 'https://e.com/a.png', alt_text: x(2100) },
    ];
    const fitted = fitBlocks(blocks, 'modal');
    expect(checkBlocks(fitted, 'modal')).toEqual([]);
    const f = fitted as Array<Record<string, any>>;
    expect(f[0]!.text.text).toHaveLength(BLOCK_LIMITS.headerText);
    expect(f[1]!.text.text).toHaveLength(BLOCK_LIMITS.sectionText);
    expect(f[1]!.text.text.endsWith('…')).toBe(true);
    expect(f[1]!.accessory.text.text).toHaveLength(BLOCK_LIMITS.buttonText);
    expect(f[2]!.fields).toHaveLength(10);
    expect(f[3]!.elements).toHaveLength(10);
    expect(f[4]!.alt_text).toHaveLength(BLOCK_LIMITS.altText);
    // The input is not modified.
    expect((blocks[0] as Record<string, any>).text.text).toHaveLength(200);
  });

  it('keeps 49 blocks of a long message and adds a final "…N more" context', () => {
    const blocks = Array.from({ length: 60 }, (_, i) => section(`row ${i}`));
    const fitted = fitBlocks(blocks, 'message');
    expect(fitted).toHaveLength(50);
    expect(fitted[48]).toEqual(section('row 48'));
    expect(fitted[49]).toEqual({ type: 'context', elements: [{ type: 'mrkdwn', text: '…11 more' }] });
    expect(checkBlocks(fitted, 'message')).toEqual([]);
    expect(fitBlocks(blocks, 'home')).toHaveLength(60);
  });

  it('drops trailing blocks to stay within the message text budget', () => {
    const blocks = Array.from({ length: 6 }, () => section(x(3000)));
    const fitted = fitBlocks(blocks, 'message', { moreText: (n) => `and ${n} more rows` });
    expect(fitted).toHaveLength(4);
    expect(fitted[3]).toEqual({ type: 'context', elements: [{ type: 'mrkdwn', text: 'and 3 more rows' }] });
    expect(checkBlocks(fitted, 'message')).toEqual([]);
  });

  it('never alters ids, values or URLs', () => {
    const blocks = [actions(button({ value: x(2001) }))];
    const fitted = fitBlocks(blocks, 'message');
    expect(fitted).toEqual(blocks);
    expect(checkBlocks(fitted, 'message')).toHaveLength(1);
  });
});
