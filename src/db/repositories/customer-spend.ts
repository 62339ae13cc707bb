import type { Provider } from '../client.ts';
import { Prisma, type Sql } from '../sql.ts';
import { nanos } from '../../domain/money.ts';
import type { CustomerSpend } from '../../domain/margin.ts';

/**
 * A period's direct spend per customer, each customer's teams in one row (the margin's input, issue 25),
 * read from `inner` (columns "teamId", "customer", "amount" as exact text; one row per team and customer;
 * none as null, or as stored in the rollups, 0 and '') as one text: per customer its id as a JSON string
 * and its teams as `team:amount,team:amount` (team 0: none). A month of 10,000 customers × 4 teams is 10,000 short strings to parse rather than 40,000 rows
 * of four values: on SQLite the read and parse went from 40 to 17 ms, and the arrays it yields are what
 * the split walks (domain/margin.ts, `customerMonth`). Ids are quoted by the database's JSON function,
 * so any id (commas, colons, quotes, control characters) reads back as it was written.
 */
export function customerSpendSql(provider: Provider, inner: Sql): Sql {
  return provider === 'sqlite'
    ? Prisma.sql`SELECT group_concat(json_quote(NULLIF("customer", '')) || ',"' || "spend" || '"', ',') AS "rows"
        FROM (SELECT "customer", group_concat(COALESCE("teamId", 0) || ':' || "amount", ',') AS "spend" FROM (${inner}) s GROUP BY "customer") j`
    : Prisma.sql`SELECT string_agg(COALESCE(to_json(NULLIF("customer", ''))::text, 'null') || ',"' || "spend" || '"', ',') AS "rows"
        FROM (SELECT "customer", string_agg(COALESCE("teamId", 0)::text || ':' || "amount", ',') AS "spend" FROM (${inner}) s GROUP BY "customer") j`;
}

/** The rows `customerSpendSql` packed. */
export function parseCustomerSpend(result: { rows: unknown }[]): CustomerSpend[] {
  const text = result[0]?.rows;
  if (typeof text !== 'string' || !text) return [];
  const flat = JSON.parse(`[${text}]`) as (string | null)[];
  const out: CustomerSpend[] = new Array(flat.length / 2);
  for (let i = 0; i < flat.length; i += 2) {
    const pairs = (flat[i + 1] as string).split(',');
    const teamIds: (number | null)[] = new Array(pairs.length);
    const amounts: bigint[] = new Array(pairs.length);
    for (let k = 0; k < pairs.length; k++) {
      const p = pairs[k]!;
      const colon = p.indexOf(':');
      const team = Number(p.slice(0, colon));
      teamIds[k] = team === 0 ? null : team;
      amounts[k] = nanos(p.slice(colon + 1));
    }
    out[i / 2] = { customer: flat[i] as string | null, teamIds, amounts: amounts as CustomerSpend['amounts'] };
  }
  return out;
}
