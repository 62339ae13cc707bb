/** Every action, view and block id in one place; handlers re-check who may press each. */
export const ACTIONS = {
  approveOverrun: 'overrun_approve',
  denyOverrun: 'overrun_deny',
  approveOtherOverrun: 'overrun_approve_other',
  anomalyFeedback: 'anomaly_feedback',
  periodClose: 'period_close',
  periodReopen: 'period_reopen',
  periodFinalize: 'period_finalize',
} as const;

export const VIEWS = {
  addHidden: 'hidden_cost_modal',
  approveOther: 'overrun_approve_other_modal',
  denyOverrun: 'overrun_deny_modal',
} as const;
