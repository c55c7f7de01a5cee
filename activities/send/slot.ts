// The one narrow door every send passes through: "may this lead send on this channel now?".
// Inbox warm-up limits and the emergency stop (the governance work) plug in behind it; until then
// every request is granted at once. The workflow never knows which policy answered.

export interface SlotRequest {
  leadId: string;
  channel: 'email' | 'sms';
  campaignId: string | null;
  inboxId: string | null;
}
/** granted, or the earliest time worth asking again (epoch ms). */
export type SlotAnswer = { granted: true } | { granted: false; retryAt: number; reason: string };

export interface SendSlotPolicy {
  request(req: SlotRequest): Promise<SlotAnswer>;
}

export const grantAtOnce: SendSlotPolicy = { request: async () => ({ granted: true }) };

export function createSlotActivities(policy: SendSlotPolicy = grantAtOnce) {
  async function requestSendSlot(req: SlotRequest): Promise<SlotAnswer> {
    return policy.request(req);
  }
  return { requestSendSlot };
}

export type SlotActivities = ReturnType<typeof createSlotActivities>;
