// Who a lead is and where it came from: the part of the lead workflow's input that pure code
// (the profile, the handover dossier, intake) reads. The workflow contract extends it with the
// sequence and run settings, so this ground-floor module depends on nothing above it.

export interface LeadContact {
  firstName: string | null;
  lastName: string | null;
  email: string | null;
  /** E.164 when known. */
  phone: string | null;
}

export interface LeadCore {
  /** Where the lead came from: an ADF provider id, `api`, `campaign`, `demo`, ... */
  source: string;
  /** The source's own id for this prospect, when it has one. */
  externalId: string | null;
  campaignId: string | null;
  contact: LeadContact;
  /** The parsed lead as received; stored with the lead, never interpreted by the workflow. */
  payload: Record<string, unknown>;
}
