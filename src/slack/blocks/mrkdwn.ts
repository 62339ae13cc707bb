/** Escapes the three characters Slack mrkdwn treats as control (`&`, `<`, `>`). */
export function escapeMrkdwn(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
