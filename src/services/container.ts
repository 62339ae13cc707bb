import type { Database } from '../db/client.ts';
import { costQueries } from '../db/repositories/costs.ts';
import { teamsRepository } from '../db/repositories/teams.ts';
import { reportService } from './reports.ts';

/** Everything the listeners, jobs and CLI use, built once from a database and the report time zone. */
export function createServices(db: Database, opts: { timeZone: string }) {
  const costs = costQueries(db);
  const teams = teamsRepository(db);
  return {
    db,
    timeZone: opts.timeZone,
    costs,
    teams,
    reports: reportService({ costs, teams, timeZone: opts.timeZone }),
  };
}

export type Services = ReturnType<typeof createServices>;
