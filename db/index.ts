// Public face of the persistence layer; other folders import from here only.
export { createDb, checkDb } from './connection.js';
export type { CreateDbOptions, DbHandle, DbKind } from './connection.js';
export { migrateToLatest, migrateWith, pendingMigrations } from './migrate.js';
export type { MigrationsRecord } from './migrate.js';
export { migrations } from './migrations/index.js';
export {
  ACTIVE_LEAD_STATUSES,
  findActiveLeadByPhone,
  getLead,
  listLeadEvents,
  listLeads,
  MAX_LIST_LIMIT,
  recordLeadEvent,
  setLeadStatus,
  upsertLead,
} from './repositories/leads.js';
export type { Db, ListLeadsQuery, RecordLeadEvent } from './repositories/leads.js';
export { writeLeadJournal } from './repositories/lead-journal.js';
export type { JournalRow } from './repositories/lead-journal.js';
export type * from './schema.js';
export { countOpenQuarantine, getQuarantined, listQuarantined, quarantine, recordQuarantineRetry } from './repositories/quarantine.js';
export type { QuarantineEntry, QuarantineInput } from './repositories/quarantine.js';
export { getMailboxCheckpoint, saveMailboxCheckpoint } from './repositories/checkpoints.js';
export type { StoredCheckpoint } from './repositories/checkpoints.js';
export { purgeRetentionBatch, RETENTION_KINDS } from './repositories/retention.js';
export { API_SCOPES, createApiKey, findActiveApiKey, hashSecret, listApiKeys, revokeApiKey } from './repositories/api-keys.js';
export type { ApiScope } from './repositories/api-keys.js';
export { listAudit, recordAudit } from './repositories/audit.js';
export type { AuditEntry } from './repositories/audit.js';
export { countProviderEvents, MAX_PROVIDER_KEY_BYTES, recordProviderEvent } from './repositories/provider-events.js';
export type { ProviderEvent } from './repositories/provider-events.js';
export {
  claimOutbox,
  findOutboxByUnsubscribeToken,
  findOutboxByMessageId,
  findOutboxByReplyToken,
  finishOutboxCall,
  getOutbox,
  listOutbox,
  providerEventForKey,
} from './repositories/outbox.js';
export type { OutboxClaim } from './repositories/outbox.js';
export { isAlive } from './pglite-lock.js';
export {
  addManualSuppression,
  addSuppression,
  findSuppression,
  getSuppression,
  listSuppressionReleases,
  listSuppressions,
  normaliseAddress,
  releaseSuppression,
  removeSuppression,
} from './repositories/suppressions.js';
export { getInbox, inboxUpdatedAt, insertInbox, listImapInboxes, listInboxes, updateInbox } from './repositories/inboxes.js';
export type { InboxChange, NewInbox } from './repositories/inboxes.js';
export type { SuppressionInput } from './repositories/suppressions.js';
export {
  addSalesperson,
  findHandoverByAckToken,
  getHandover,
  setHandoverAckToken,
  getSalesperson,
  listSalespeople,
  nextSalesperson,
  removeSalesperson,
  saveHandover,
  setSalespersonAway,
} from './repositories/handover.js';
export type { NewSalesperson } from './repositories/handover.js';
export {
  controlView,
  DEFAULT_RAMP,
  getSendingControl,
  isSendingStopped,
  RAMP_BOUNDS,
  rampPerMinuteAt,
  resumeSending,
  SEND_GATE_LOCK,
  SendingStoppedError,
  setStopped,
  takeRampPermit,
} from './repositories/control.js';
export { passSendGate } from './repositories/send-gate.js';
export type { GateRequest, GateVerdict } from './repositories/send-gate.js';
export type { ControlView, RampSettings } from './repositories/control.js';
export { getInboxState, inboxChannels, listInboxStates, saveInboxState } from './repositories/inbox-state.js';
export type { InboxStateInput } from './repositories/inbox-state.js';
export { inboxActivity, listInboxPolicies } from './repositories/stats.js';
export type { ActivityCounts, ImplicitInboxIds } from './repositories/stats.js';
export { campaignFunnel, emptyFunnel, FUNNEL_METRICS, getCampaignForStats } from './repositories/campaign-stats.js';
export type { CampaignFunnel, FunnelCounts, FunnelMetric, VariantFunnel } from './repositories/campaign-stats.js';
export { getCampaignContent, getCampaignProspectByLead } from './repositories/campaign-content.js';
export type { CampaignContent } from './repositories/campaign-content.js';
export {
  CampaignTransitionError,
  campaignStatusRefusal,
  slotGrantView,
  finishCampaign,
  getCampaign,
  insertCampaign,
  listCampaigns,
  newCampaignId,
  saveCampaignTotals,
  TRANSITIONS as CAMPAIGN_TRANSITIONS,
  transitionCampaign,
  updateCampaignSpec,
} from './repositories/campaigns.js';
export type { CampaignAction, SlotGrantView } from './repositories/campaigns.js';
export {
  activeElsewhere,
  assignLeadIds,
  CampaignClosedError,
  findImport,
  markProspectSkipped,
  markProspectsStarted,
  pendingProspects,
  startedSince,
  storeImport,
} from './repositories/campaign-prospects.js';
export type { ImportProblem, NewProspect } from './repositories/campaign-prospects.js';
export type { CampaignImportRow, CampaignProspectRow, CampaignRow, CampaignStatus } from './schema-campaigns.js';
export { campaignTotals, skipPendingProspects, stopCandidates } from './repositories/campaign-totals.js';
export type { CampaignCounts } from './repositories/campaign-totals.js';
export { saveScheduledLeads, SCHEDULED_STATUS } from './repositories/scheduled-leads.js';
export type { ScheduledLead } from './repositories/scheduled-leads.js';
