import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SlackStandIn } from './slack-stand-in.ts';

/**
 * Writes what the app sent to the stand-in Slack (Web API calls and response_url posts, in order) as
 * the JSON lines `../shared/tools/render-slack.py` renders. Only when AICOST_RECORD_DIR is set, so a
 * normal test run writes nothing.
 */
export function recordSlack(slack: SlackStandIn, name: string): string | null {
  const dir = process.env.AICOST_RECORD_DIR;
  if (!dir) return null;
  mkdirSync(dir, { recursive: true });
  const lines = [
    ...slack.calls.map((c) => ({ at: c.at, line: { method: c.method, params: c.args } })),
    ...slack.responses.filter((r) => r.status === 200).map((r) => ({ at: r.at, line: { response_url: r.body } })),
  ]
    .sort((a, b) => a.at - b.at)
    .map((x) => JSON.stringify(x.line));
  const file = join(dir, `${name}.jsonl`);
  writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}
