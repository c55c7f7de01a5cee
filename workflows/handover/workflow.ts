// One handover: assign a salesperson, send the dossier, and wait for the acknowledgement. No
// acknowledgement within the SLA escalates to the manager (with the dossier again); a second SLA
// escalates once more; after that the handover waits a week for anyone to take it.
import { condition, log, proxyActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import { msToNumber } from '@temporalio/common/lib/time.js';
import type { HandoverActivities } from '../../activities/handover/index.js';
import { acknowledgeSignal, handoverStateQuery, type HandoverInput, type HandoverState } from './contract.js';

const { assignSalesperson, buildDossier, recordHandover } = proxyActivities<HandoverActivities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute', nonRetryableErrorTypes: ['LeadNotFound'] },
});
// The ledger makes each e-mail exactly-once; a refused address is a configuration problem worth
// retrying slowly rather than dropping the handover.
const { sendHandoverEmail } = proxyActivities<HandoverActivities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '5 seconds', backoffCoefficient: 2, maximumInterval: '10 minutes' },
});

const DEFAULT_SLA = '15 minutes';
const FINAL_WAIT = '7 days';

export async function handoverWorkflow(input: HandoverInput): Promise<HandoverState> {
  const handoverId = workflowInfo().workflowId;
  const state: HandoverState = { leadId: input.leadId, status: 'assigning', salesperson: null, escalations: 0, acknowledgedBy: null, sentAt: [] };
  setHandler(acknowledgeSignal, ({ by }) => {
    state.acknowledgedBy ??= by;
  });
  setHandler(handoverStateQuery, () => state);
  const acked = () => state.acknowledgedBy !== null;

  const rep = await assignSalesperson({ handoverId, leadId: input.leadId, scope: input.scope });
  if (rep === null) {
    state.status = 'unassigned';
    log.warn('no salesperson available for handover', { leadId: input.leadId, scope: input.scope });
    return state;
  }
  state.salesperson = { id: rep.id, name: rep.name, email: rep.email };
  state.status = 'assigned';

  const send = async (escalation: number, to: string) => {
    const d = await buildDossier({ handoverId, leadId: input.leadId, escalation });
    await sendHandoverEmail({
      leadId: input.leadId,
      key: `${handoverId}:${escalation === 0 ? 'dossier' : `escalation:${escalation}`}`,
      to,
      subject: d.subject,
      text: d.text,
      html: d.html,
    });
    state.sentAt.push(new Date().toISOString());
  };
  await send(0, rep.email);

  const slas = [input.sla ?? DEFAULT_SLA, input.secondSla ?? input.sla ?? DEFAULT_SLA];
  for (const [i, sla] of slas.entries()) {
    if (await condition(acked, msToNumber(sla))) break;
    state.escalations = i + 1;
    state.status = 'escalated';
    await recordHandover({ handoverId, leadId: input.leadId, salespersonId: rep.id, status: 'escalated', escalations: state.escalations });
    await send(state.escalations, rep.managerEmail ?? rep.email);
  }
  if (!acked()) await condition(acked, FINAL_WAIT);
  state.status = acked() ? 'acknowledged' : 'unacknowledged';
  await recordHandover({
    handoverId,
    leadId: input.leadId,
    salespersonId: rep.id,
    status: state.status,
    escalations: state.escalations,
    acknowledgedBy: state.acknowledgedBy,
  });
  return state;
}
