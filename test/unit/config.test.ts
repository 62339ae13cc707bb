import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.ts';
import { cli } from '../support/cli.ts';

const valid = {
  SLACK_BOT_TOKEN: 'xoxb-1-2-abc',
  SLACK_SIGNING_SECRET: 'secret',
  FINANCE_CHANNEL_ID: 'C0FINANCE',
};

describe('configuration', () => {
  it('applies the documented defaults', () => {
    const c = loadConfig(valid);
    expect(c).toMatchObject({
      DATABASE_URL: 'file:./data/aicost.db',
      PORT: 3000,
      REPORT_TIMEZONE: 'UTC',
      QUICKCHART_URL: 'https://quickchart.io',
      FINANCE_USER_IDS: [],
    });
    expect(loadConfig({ ...valid, FINANCE_USER_IDS: 'U1, U2 ,' }).FINANCE_USER_IDS).toEqual(['U1', 'U2']);
  });

  it('accepts .env.example once the signing secret and its placeholders are filled in', () => {
    const env = Object.fromEntries(
      readFileSync('.env.example', 'utf8')
        .split('\n')
        .filter((l) => /^[A-Z_]+=/.test(l))
        .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
    );
    const real = { SLACK_SIGNING_SECRET: 'secret', SLACK_BOT_TOKEN: 'xoxb-1234-5678-real', FINANCE_CHANNEL_ID: 'C07REALONE', FINANCE_USER_IDS: 'U07REALONE' };
    expect(() => loadConfig({ ...env, SLACK_SIGNING_SECRET: 'secret' })).toThrow(/SLACK_BOT_TOKEN is still the example value/);
    const c = loadConfig({ ...env, ...real });
    expect(c).toMatchObject({ SYNC_CRON: '*/15 * * * *', BUDGET_THRESHOLDS: [80, 100], ANOMALY_TEAM_OVERRIDES: {}, HELICONE_API_KEY: undefined });
  });

  it('accepts Socket Mode without a signing secret', () => {
    const { SLACK_SIGNING_SECRET: _, ...rest } = valid;
    expect(loadConfig({ ...rest, SLACK_APP_TOKEN: 'xapp-1-abc' }).SLACK_APP_TOKEN).toBe('xapp-1-abc');
  });

  it('names every problem at once', () => {
    try {
      loadConfig({ REPORT_TIMEZONE: 'Mars/Olympus', PORT: 'eighty', DATABASE_URL: 'mysql://x', SLACK_APP_TOKEN: 'nope' });
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError);
      const msg = (e as Error).message;
      for (const name of ['SLACK_BOT_TOKEN', 'FINANCE_CHANNEL_ID', 'REPORT_TIMEZONE', 'PORT', 'DATABASE_URL', 'SLACK_APP_TOKEN']) {
        expect(msg).toContain(name);
      }
      expect(msg).toContain('README.md');
    }
  });

  it('`aicost start` without Slack variables exits non-zero naming each one and pointing to the README', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'aicost-start-'));
    const r = await cli(['start'], { HOME: cwd }, { cwd });
    expect(r.code).toBe(1);
    for (const name of ['SLACK_BOT_TOKEN', 'SLACK_SIGNING_SECRET', 'FINANCE_CHANNEL_ID']) expect(r.stderr).toContain(name);
    expect(r.stderr).toContain('README.md');
  });
});
