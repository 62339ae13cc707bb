import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv, type AnySchemaObject, type Options, type ValidateFunction } from 'ajv';
import { Ajv2019 } from 'ajv/dist/2019.js';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { BOT_EVENTS, REQUIRED_SCOPES, SLACK_EVENTS_PATH, SLASH_COMMAND } from '../../src/slack/manifest-contract.ts';
import { REPO_ROOT, describeWithDocs, sharedDocs } from '../support/shared-docs.ts';

/** Slack's manifest JSON Schema is a third-party document: it stays in the shared folder. */
const SCHEMA = 'specs/slack-manifest.schema.json';
const docs = sharedDocs(SCHEMA);
const manifestPath = join(REPO_ROOT, 'manifest.yml');

const manifestText = readFileSync(manifestPath, 'utf8');
// biome-ignore lint/suspicious/noExplicitAny: Block Kit and manifest JSON are read structurally in tests
const manifest = parse(manifestText) as any;

/** The Ajv class for the schema's declared draft. */
function compile(schema: AnySchemaObject): ValidateFunction {
  // strict: false because Slack's schema carries non-standard keywords (`regex`, `_note`).
  const opts: Options = { strict: false, allErrors: true };
  const draft = String(schema.$schema ?? '');
  const ajv = draft.includes('2020-12') ? new Ajv2020(opts) : draft.includes('2019-09') ? new Ajv2019(opts) : new Ajv(opts);
  ajv.addFormat('uri', (s: string) => URL.canParse(s));
  return ajv.compile(schema);
}

describeWithDocs(docs)("manifest.yml against Slack's manifest JSON Schema", () => {
  it("is valid against Slack's manifest JSON Schema", () => {
    const schema = JSON.parse(readFileSync(docs.path(SCHEMA), 'utf8')) as AnySchemaObject;
    expect(String(schema.$schema)).toContain('draft-07');
    const validate = compile(schema);
    const valid = validate(manifest);
    expect(validate.errors ?? []).toEqual([]);
    expect(valid).toBe(true);
  });

  it('rejects a broken manifest (so the check above really validates)', () => {
    const schema = JSON.parse(readFileSync(docs.path(SCHEMA), 'utf8')) as AnySchemaObject;
    const validate = compile(schema);
    const broken = structuredClone(manifest);
    broken.features.slash_commands[0].command = 'aicost';
    broken.settings.socket_mode = true;
    expect(validate(broken)).toBe(false);
    expect(validate.errors?.map((e) => e.instancePath)).toEqual(expect.arrayContaining(['/features/slash_commands/0/command', '/settings']));
  });
});

describe('manifest.yml', () => {
  it('is manifest major version 1', () => {
    expect(manifest._metadata.major_version).toBe(1);
  });

  it('declares the one slash command, pointing at the events path', () => {
    const commands = manifest.features.slash_commands as Array<Record<string, unknown>>;
    expect(commands).toHaveLength(1);
    expect(commands[0]).toMatchObject({ command: SLASH_COMMAND, should_escape: true });
    expect(String(commands[0]!.url).endsWith(SLACK_EVENTS_PATH)).toBe(true);
    expect(commands[0]!.usage_hint).toBe('[team <slug>|top teams|budget|add|request|help] [period]');
  });

  it('requests every scope the app needs, and no others', () => {
    const scopes = manifest.oauth_config.scopes.bot as string[];
    for (const scope of REQUIRED_SCOPES) expect(scopes).toContain(scope);
    expect([...scopes].sort()).toEqual([...REQUIRED_SCOPES].sort());
  });

  it('subscribes to the bot events and enables the Home tab', () => {
    const events = manifest.settings.event_subscriptions;
    for (const e of BOT_EVENTS) expect(events.bot_events).toContain(e);
    expect(String(events.request_url).endsWith(SLACK_EVENTS_PATH)).toBe(true);
    expect(manifest.features.app_home).toMatchObject({ home_tab_enabled: true, messages_tab_enabled: false });
    expect(manifest.features.bot_user).toMatchObject({ display_name: 'aicost', always_online: true });
  });

  it('enables interactivity on the events path, in HTTP mode by default', () => {
    expect(manifest.settings.interactivity.is_enabled).toBe(true);
    expect(String(manifest.settings.interactivity.request_url).endsWith(SLACK_EVENTS_PATH)).toBe(true);
    expect(manifest.settings.socket_mode_enabled).toBe(false);
    expect(manifest.settings.org_deploy_enabled).toBe(false);
    expect(manifest.settings.token_rotation_enabled).toBe(false);
    expect(manifestText).toMatch(/#.*Socket Mode/);
    expect(manifestText).toMatch(/#.*example\.com/);
  });
});
