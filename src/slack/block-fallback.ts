import type { KnownBlock } from '@slack/types';
import { plainerBlocks } from './blocks/table-blocks.ts';

/** Whether an error is Slack refusing the blocks of a message (Web API or response_url). */
export function isBlocksRefusal(err: unknown): boolean {
  const e = err as { data?: { error?: string }; message?: string; code?: string; statusCode?: number } | null;
  const text = `${e?.data?.error ?? ''} ${e?.message ?? ''}`;
  // response_url answers a refused message with HTTP 400 (Bolt's RespondError carries only the status).
  return /invalid_blocks|downloading image failed/.test(text) || (e?.code === 'slack_bolt_respond_error' && e.statusCode === 400);
}

/**
 * Sends a message; if Slack refuses its blocks, sends it once more without the parts it may refuse
 * (table block → monospace, charts left out) rather than failing the whole answer.
 */
export async function sendWithFallback<T>(blocks: KnownBlock[] | undefined, send: (blocks: KnownBlock[] | undefined) => Promise<T>): Promise<T> {
  try {
    return await send(blocks);
  } catch (err) {
    const plainer = blocks && isBlocksRefusal(err) ? plainerBlocks(blocks) : null;
    if (!plainer) throw err;
    return send(plainer);
  }
}
