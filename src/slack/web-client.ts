import { LogLevel, WebClient } from '@slack/web-api';
import type { Config } from '../config.ts';
import { escapingFetch } from './outgoing.ts';

/** The Web API client for jobs and services (Bolt's listeners use their own, configured the same way). */
export function createWebClient(config: Pick<Config, 'SLACK_BOT_TOKEN' | 'SLACK_API_URL'>, retries?: number): WebClient {
  return new WebClient(config.SLACK_BOT_TOKEN, {
    ...(config.SLACK_API_URL ? { slackApiUrl: config.SLACK_API_URL } : {}),
    ...(retries !== undefined ? { retryConfig: { retries } } : {}),
    logLevel: LogLevel.WARN,
    // Every message is escaped on its way out (see outgoing.ts).
    fetch: escapingFetch(),
  });
}
