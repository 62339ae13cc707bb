/**
 * An entry or request number as typed ("12", "#12"): decimal digits only (no "0x7", "1e3", "-1"),
 * from 1 to 2^31-1 (what the database ids hold).
 */
export function parseId(text: string): number | null {
  const t = text.trim().replace(/^#/, '');
  if (!/^[0-9]{1,10}$/.test(t)) return null;
  const n = Number(t);
  return n >= 1 && n <= 2_147_483_647 ? n : null;
}
