import type { App } from '@slack/bolt';
import type { BudgetService } from '../../services/budget-service.ts';
import type { Logger } from '../../logger.ts';
import { homeView } from '../blocks/home-blocks.ts';

/** App Home: a user's teams with budget bars, month to date, forecast and open requests; finance sees every team and the pending approvals. */
export function registerAppHome(app: App, deps: { services: { budgets: BudgetService }; log: Logger; clock: () => Date }): void {
  app.event('app_home_opened', async ({ event, client }) => {
    if (event.tab !== 'home') return;
    await client.views.publish({ user_id: event.user, view: homeView(await deps.services.budgets.home(event.user, deps.clock())) });
  });
}
