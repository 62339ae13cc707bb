import { describe, expect, it } from 'vitest';
import { fitBlocks, truncateText } from '../../src/slack/block-limits.ts';
import { SLACK_LIMITS, checkBlocks, checkView } from '../support/block-kit-check.ts';

/**
 * Production's fitter (src/slack/block-limits.ts), checked by the Slack stand-in's independent table
 * of Slack's documented limits (test/support/block-kit-check.ts): what the fitter makes must pass it,
 * and must use the documented allowance rather than a smaller one.
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
    // biome-ignore lint/suspicious/noExplicitAny: Block Kit and manifest JSON are read structurally in tests
    const f = fitted as Array<Record<string, any>>;
    expect(f[0]!.text.text).toHaveLength(SLACK_LIMITS.headerText);
    expect(f[1]!.text.text).toHaveLength(SLACK_LIMITS.sectionText);
    expect(f[1]!.text.text.endsWith('…')).toBe(true);
    expect(f[1]!.accessory.text.text).toHaveLength(SLACK_LIMITS.buttonText);
    expect(f[2]!.fields).toHaveLength(10);
    expect(f[3]!.elements).toHaveLength(10);
    expect(f[4]!.alt_text).toHaveLength(SLACK_LIMITS.altText);
    // The input is not modified.
    // biome-ignore lint/suspicious/noExplicitAny: Block Kit and manifest JSON are read structurally in tests
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

describe("fitBlocks against Slack's documented limits", () => {
  const opt = (t: string) => ({ text: { type: 'plain_text', text: t }, value: 'v' });
  const oversize = () => [
    { type: 'header', text: { type: 'plain_text', text: x(400) } },
    { type: 'section', text: { type: 'mrkdwn', text: x(5000) }, fields: Array.from({ length: 14 }, () => ({ type: 'mrkdwn', text: x(2500) })) },
    { type: 'context', elements: Array.from({ length: 15 }, () => ({ type: 'mrkdwn', text: x(3500) })) },
    actions(...Array.from({ length: 30 }, () => button({ text: { type: 'plain_text', text: x(90) } }))),
    { type: 'image', image_url: 'https://e.com/c.png', alt_text: x(2500), title: { type: 'plain_text', text: x(2500) } },
    {
      type: 'input',
      label: { type: 'plain_text', text: x(2500) },
      hint: { type: 'plain_text', text: x(2500) },
      element: { type: 'static_select', action_id: 's', placeholder: { type: 'plain_text', text: x(200) }, options: [opt(x(90))] },
    },
  ];

  it("an oversize view is refused by the stand-in's check, and passes it once fitted", () => {
    const blocks = [...oversize(), ...Array.from({ length: 120 }, () => divider)];
    const view = { type: 'modal', title: { type: 'plain_text', text: 'Fit' }, submit: { type: 'plain_text', text: 'Save' }, blocks };
    expect(checkView(view).length).toBeGreaterThan(10);
    const fitted = fitBlocks(blocks, 'modal');
    expect(checkView({ ...view, blocks: fitted })).toEqual([]);
    expect(fitted).toHaveLength(SLACK_LIMITS.blocksPerView);
  });

  it('cuts each text to exactly the documented limit, not below it', () => {
    // biome-ignore lint/suspicious/noExplicitAny: Block Kit and manifest JSON are read structurally in tests
    const f = fitBlocks(oversize(), 'modal') as Array<Record<string, any>>;
    expect(f[0]!.text.text).toHaveLength(SLACK_LIMITS.headerText);
    expect(f[1]!.text.text).toHaveLength(SLACK_LIMITS.sectionText);
    expect(f[1]!.fields).toHaveLength(SLACK_LIMITS.sectionFields);
    expect(f[1]!.fields[0].text).toHaveLength(SLACK_LIMITS.fieldText);
    expect(f[2]!.elements).toHaveLength(SLACK_LIMITS.contextElements);
    expect(f[2]!.elements[0].text).toHaveLength(SLACK_LIMITS.textObject);
    expect(f[3]!.elements).toHaveLength(SLACK_LIMITS.actionsElements);
    expect(f[3]!.elements[0].text.text).toHaveLength(SLACK_LIMITS.buttonText);
    expect(f[4]!.alt_text).toHaveLength(SLACK_LIMITS.altText);
    expect(f[4]!.title.text).toHaveLength(SLACK_LIMITS.imageTitle);
    expect(f[5]!.label.text).toHaveLength(SLACK_LIMITS.inputLabel);
    expect(f[5]!.hint.text).toHaveLength(SLACK_LIMITS.inputHint);
    expect(f[5]!.element.placeholder.text).toHaveLength(SLACK_LIMITS.placeholder);
    expect(f[5]!.element.options[0].text.text).toHaveLength(SLACK_LIMITS.optionText);
  });

  it('keeps a long message within the documented block count and the message text total', () => {
    const blocks = Array.from({ length: 80 }, (_, i) => section(`row ${i} ${x(400)}`));
    expect(checkBlocks(blocks, 'message')).toHaveLength(2); // too many blocks, too much text
    const fitted = fitBlocks(blocks, 'message');
    expect(checkBlocks(fitted, 'message')).toEqual([]);
    expect(fitted.length).toBeLessThanOrEqual(SLACK_LIMITS.blocksPerMessage);
    // It drops no more than it must: one more row would break the total.
    const kept = fitted.length - 1;
    expect(checkBlocks([...blocks.slice(0, kept + 1), fitted.at(-1)], 'message')).not.toEqual([]);
  });
});
