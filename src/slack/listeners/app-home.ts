import type { App } from '@slack/bolt';
import type { Services } from '../../services/container.ts';
import type { Logger } from '../../logger.ts';
import { homeView } from '../blocks/home-blocks.ts';

/** App Home: a user's teams with budget bars, month to date, forecast and open requests; finance sees every team and the pending approvals. */
export function registerAppHome(app: App, deps: { services: Services; log: Logger; clock: () => Date }): void {
  app.event('app_home_opened', async ({ event, client }) => {
    if (event.tab !== 'home') return;
    const now = deps.clock();
    const { services } = deps;
    const finance = await services.authz.isFinance(event.user);
    const teams = await services.teams.list();
    const mine = finance ? teams : teams.filter((t) => t.leadUserIds.includes(event.user) || t.memberUserIds.includes(event.user));
    const rows = await services.budgets.rows(now, mine.map((t) => t.id));
    const pending = await services.budgetsRepo.pending(finance ? undefined : mine.map((t) => t.id));
    await client.views.publish({ user_id: event.user, view: homeView({ rows, pending, teams, finance, timeZone: services.timeZone, now }) });
  });
}
