import type { ChargebackInput, ChargebackTeamInput } from '../../../src/domain/chargeback.ts';
import { dollars, fromUsd, nanos } from '../../../src/domain/money.ts';

export function team(overrides: Partial<ChargebackTeamInput> & Pick<ChargebackTeamInput, 'teamId' | 'slug'>): ChargebackTeamInput {
  return {
    name: overrides.slug,
    costCenter: null,
    direct: new Map(),
    hidden: new Map(),
    allocated: [],
    adjustments: [],
    budget: null,
    workItems: 0,
    ...overrides,
  };
}

export function sampleInput(): ChargebackInput {
  return {
    month: '2026-10',
    periodStatus: 'closed',
    teams: [
      team({
        teamId: '1',
        slug: 'support',
        name: 'Support',
        costCenter: 'CC-4100',
        direct: new Map([
          ['helicone', fromUsd('1200.123456789')],
          ['langfuse', fromUsd('300.000000001')],
        ]),
        hidden: new Map([['human_review', fromUsd('450.5')]]),
        allocated: [{ ruleLabel: 'by tokens', amount: fromUsd('99.333333333') }],
        adjustments: [{ label: 'credit: duplicate import', amount: fromUsd('-12.5'), reference: 'REQ-17' }],
        budget: dollars(2000),
        workItems: 4000,
      }),
      team({
        teamId: '2',
        slug: 'claims',
        name: 'Claims',
        costCenter: 'CC-4200',
        direct: new Map([['helicone', fromUsd('800.005')]]),
        allocated: [{ ruleLabel: 'by tokens', amount: fromUsd('49.666666667') }],
        budget: dollars(1000),
        workItems: 0,
      }),
    ],
    unattributed: fromUsd('75.25'),
    unallocated: fromUsd('10.004'),
    // The independent total: every cost of the month, summed from the ledger side.
    grandTotal: nanos(
      fromUsd('1200.123456789') +
        fromUsd('300.000000001') +
        fromUsd('450.5') +
        fromUsd('99.333333333') -
        fromUsd('12.5') +
        fromUsd('800.005') +
        fromUsd('49.666666667') +
        fromUsd('75.25') +
        fromUsd('10.004'),
    ),
  };
}
