import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SlackStandIn } from './slack-stand-in.ts';

/**
 * Writes what a test made Slack show as JSON lines for ../shared/tools/render-slack.py (its header
 * describes the format): the Web API calls with their arguments, and response_url replies, one file per
 * name in $AICOST_RECORD_DIR. Without the variable nothing is written (a test run leaves no files behind):
 * `AICOST_RECORD_DIR=/tmp/rec npx vitest run test/integration/x.test.ts`, then render the file.
 */
export function recordCalls(slack: SlackStandIn, name: string): string | null {
  const dir = process.env.AICOST_RECORD_DIR;
  if (!dir) return null;
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${name}.jsonl`);
  writeFileSync(file, '');
  const shown = new Set(['chat.postMessage', 'chat.update', 'chat.postEphemeral', 'views.open', 'views.publish']);
  for (const c of slack.calls) if (shown.has(c.method)) appendFileSync(file, `${JSON.stringify({ method: c.method, params: c.args })}\n`);
  for (const r of slack.responses) appendFileSync(file, `${JSON.stringify({ response_url: r.body })}\n`);
  return file;
}
