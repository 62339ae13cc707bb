import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSlackStandIn } from '../../support/slack-stand-in.ts';

/** The stand-in's shared files behave as Slack's do: files.info, and url_private only with the bot token. */
describe('stand-in Slack: shared files', () => {
  let slack: Awaited<ReturnType<typeof startSlackStandIn>>;
  beforeAll(async () => {
    slack = await startSlackStandIn();
  });
  afterAll(async () => slack.close());

  const api = (method: string, args: Record<string, string>, token = 'xoxb-test') =>
    fetch(`${slack.url}${method}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(args),
      // biome-ignore lint/suspicious/noExplicitAny: Block Kit and manifest JSON are read structurally in tests
    }).then((r) => r.json() as Promise<Record<string, any>>);

  it('describes a shared file and serves its bytes to the bot token only', async () => {
    const id = slack.shareFile({ name: 'rev.csv', content: 'customer,month,revenue\n', user: 'U0FINANCE', channel: 'C0FINANCE' });
    const info = await api('files.info', { file: id });
    expect(info).toMatchObject({ ok: true, file: { id, name: 'rev.csv', filetype: 'csv', size: 23, channels: ['C0FINANCE'] } });
    const url = String(info.file.url_private_download);
    expect(url.startsWith(slack.origin)).toBe(true);
    const ok = await fetch(url, { headers: { authorization: 'Bearer xoxb-test' } });
    expect(await ok.text()).toBe('customer,month,revenue\n');
    const anonymous = await fetch(url);
    expect(anonymous.status).toBe(200);
    expect(anonymous.headers.get('content-type')).toContain('text/html');
    expect(await anonymous.text()).toContain('Sign in');
    expect(await api('files.info', { file: 'F0NOPE' })).toMatchObject({ ok: false, error: 'file_not_found' });
  });
});
