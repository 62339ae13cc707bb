/**
 * Issue 21.7: the monospace lines of a message (its code blocks), which Slack wraps into noise past a
 * laptop's width (60 characters, `NARROW_WIDTH`); wider tables must be table blocks or have fewer columns.
 */
export function monospaceLines(blocks: unknown): string[] {
  const texts: string[] = [];
  JSON.stringify(blocks ?? [], (k, v) => {
    if (k === 'text' && typeof v === 'string') texts.push(v);
    return v;
  });
  return texts.flatMap((t) => t.split('```').filter((_, i) => i % 2 === 1)).flatMap((code) => code.split('\n'));
}

/** The monospace lines wider than 60 characters (Slack's escapes of &, < and > counted as one character). */
export function tooWide(blocks: unknown): string[] {
  return monospaceLines(blocks)
    .map((l) => l.replace(/&amp;|&lt;|&gt;/g, '_'))
    .filter((l) => l.length > 60);
}
