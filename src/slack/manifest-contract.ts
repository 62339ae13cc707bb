/**
 * What the app expects of its Slack app configuration. `manifest.yml` must declare all of it
 * (checked by test/unit/manifest.test.ts), and app code imports the same constants, so the
 * listener registrations and the manifest cannot drift apart.
 */

/** The one slash command; its sub-commands are parsed from the text. */
export const SLASH_COMMAND = '/aicost';

/** The path Bolt's HTTP receiver serves commands, interactivity and events on. */
export const SLACK_EVENTS_PATH = '/slack/events';

/** Bot token scopes the app needs. */
export const REQUIRED_SCOPES = [
  'commands',
  'chat:write',
  'chat:write.public',
  'files:write',
  'usergroups:read',
  'im:write',
  // Issue 15: revenue CSVs shared in the finance channel (message events, then files.info and url_private).
  'files:read',
  'channels:history',
  'groups:history',
] as const;

/** Events API subscriptions of the bot user. */
export const BOT_EVENTS = ['app_home_opened', 'message.channels', 'message.groups'] as const;
