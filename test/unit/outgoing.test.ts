import { describe, expect, it } from 'vitest';
import { mention, plainMentions } from '../../src/domain/mentions.ts';
import { escapeOutgoing, slackText } from '../../src/slack/outgoing.ts';

describe('the Slack egress (issue 11, defect 1)', () => {
  it('escapes control sequences from data and renders only the mentions aicost made', () => {
    expect(slackText(`<!channel> & <@U123> by ${mention('U0FIN')}`)).toBe('&lt;!channel&gt; &amp; &lt;@U123&gt; by <@U0FIN>');
  });

  it('cannot be fooled by text imitating a mention token', () => {
    const token = mention('U0FIN');
    const forged = token.replace(/[0-9a-f]{12}/, '000000000000');
    expect(slackText(forged)).not.toContain('<@');
    expect(slackText(`\uE000x:U0EVIL\uE001`)).not.toContain('<@');
    expect(mention('<!channel>')).toBe('<!channel>');
    expect(slackText(mention('<!channel>'))).toBe('&lt;!channel&gt;');
  });

  it('is idempotent over text a builder escaped already', () => {
    expect(slackText('&lt;b&gt; &amp; c')).toBe('&lt;b&gt; &amp; c');
  });

  it('escapes text, mrkdwn objects and file comments; plain_text only loses tokens', () => {
    const out = escapeOutgoing('chat.postMessage', {
      channel: 'C1',
      text: '<!here>',
      initial_comment: '<#C123>',
      blocks: [
        { type: 'header', text: { type: 'plain_text', text: `<!here> ${mention('U0A')}` } },
        { type: 'section', text: { type: 'mrkdwn', text: `<https://x|y> ${mention('U0A')}` }, fields: [{ type: 'mrkdwn', text: '<!everyone>' }] },
        { type: 'context', elements: [{ type: 'mrkdwn', text: '<@U123>' }] },
      ],
    });
    expect(out.text).toBe('&lt;!here&gt;');
    expect(out.initial_comment).toBe('&lt;#C123&gt;');
    const mrkdwn = JSON.stringify(out.blocks).match(/"type":"mrkdwn","text":"[^"]*"/g)!;
    expect(mrkdwn).toHaveLength(3);
    for (const m of mrkdwn) expect(m).not.toMatch(/<(?!@U0A>)/);
    expect(JSON.stringify(out.blocks)).toContain('"text":"<!here> @U0A"');
    expect(JSON.stringify(out.blocks)).toContain('&lt;https://x|y&gt; <@U0A>');
    expect(plainMentions(`by ${mention('U0A')}`)).toBe('by @U0A');
  });
});
