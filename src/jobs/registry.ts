import type { ClaimsRepository } from '../services/ports/claims.ts';
import type { Logger } from '../logger.ts';
import type { BudgetService } from '../services/budget-service.ts';
import type { JobDefinition } from './runner.ts';

/** What every job gets: the services, the slot claims and a logger. */
export interface JobDeps {
  /** What the jobs use of the services. */
  services: { budgets: Pick<BudgetService, 'check'> };
  claims: ClaimsRepository;
  log: Logger;
  /** Jobs added by later modules (sync, anomalies, chargeback) register here. */
  extra?: Record<string, unknown>;
}

export interface JobSchedules {
  budgetsCron: string;
}

/**
 * The scheduled jobs. Each is a plain function of (deps, slot time). `aicost run <job> --at <ISO>`
 * runs the same function for the same slot, claimed the same way.
 */
export function jobDefinitions(schedules: JobSchedules, more: JobDefinition<JobDeps>[] = []): JobDefinition<JobDeps>[] {
  return [
    {
      name: 'budgets',
      cron: schedules.budgetsCron,
      description: 'threshold and forecast alerts, automatic overrun requests',
      run: (deps, at) => deps.services.budgets.check(at),
    },
    ...more,
  ];
}
