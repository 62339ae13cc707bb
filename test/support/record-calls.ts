import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SlackStandIn } from './slack-stand-in.ts';

/**
 * Writes what a test made Slack show as JSON lines for ../shared/tools/render-slack.py (its header
 * describes the format): the Web API calls with their arguments, and response_url replies. Files go
 * to $AICOST_RECORD_DIR (default: the OS temp dir, aicost-slack/), one per name.
 */
export function recordCalls(slack: SlackStandIn, name: string): string {
  const dir = process.env.AICOST_RECORD_DIR ?? join(tmpdir(), 'aicost-slack');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${name}.jsonl`);
  writeFileSync(file, '');
  const shown = new Set(['chat.postMessage', 'chat.update', 'chat.postEphemeral', 'views.open', 'views.publish']);
  for (const c of slack.calls) if (shown.has(c.method)) appendFileSync(file, `${JSON.stringify({ method: c.method, params: c.args })}\n`);
  for (const r of slack.responses) appendFileSync(file, `${JSON.stringify({ response_url: r.body })}\n`);
  return file;
}
