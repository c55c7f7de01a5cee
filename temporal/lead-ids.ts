// Lead IDs that reveal nobody. A lead's workflow ID is `lead:` + 26 base32 characters of an HMAC
// (LEAD_ID_SECRET) over its normalised identity (source or campaign, and the prospect id, e-mail
// or phone: workflows/lead/contract.ts leadKey), so a duplicate arrival still lands on the same
// workflow while the ID, the Web UI's list and every log line naming it carry no contact data.
//
// Leads created before opaque IDs keep theirs: when a lead with the old readable ID exists in the
// database (which maps each lead to its contact), a new arrival for the same person merges into
// it. The ID is computed here, client-side, because the workflow sandbox has no HMAC.
import { createHmac, randomBytes } from 'node:crypto';
import { localSecret } from '../config/local-secret.js';
import type { Config } from '../config/index.js';
import { leadKey, leadWorkflowId, type LeadInput } from '../workflows/lead/contract.js';

export interface LeadIdentity {
  /** Keys the hash; the same in every process of one install. */
  secret: string;
  /** Whether a lead already runs under this pre-opaque ID (it then keeps it). */
  legacyExists?: (legacyId: string) => Promise<boolean>;
}

const BASE32 = 'abcdefghijklmnopqrstuvwxyz234567';

/** 130 bits of the HMAC as 26 lower-case base32 characters: URL-, log- and search-safe. */
function base32(bytes: Buffer, chars: number): string {
  let out = '';
  let bits = 0;
  let value = 0;
  for (const b of bytes) {
    value = (value << 8) | b;
    bits += 8;
    while (bits >= 5 && out.length < chars) {
      out += BASE32[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
    value &= 0xff;
  }
  return out;
}

export const opaqueLeadId = (secret: string, key: string): string => `lead:${base32(createHmac('sha256', secret).update(key).digest(), 26)}`;

/** True for IDs minted by opaqueLeadId (the readable legacy ones contain `:` after the prefix). */
export const isOpaqueLeadId = (id: string): boolean => /^lead:[a-z2-7]{26}$/.test(id);

/** The workflow ID of this lead: its legacy ID when that lead exists, else the opaque one. */
export async function resolveLeadId(identity: LeadIdentity, input: Pick<LeadInput, 'source' | 'externalId' | 'contact' | 'campaignId'>): Promise<string> {
  const key = leadKey(input);
  const legacy = leadWorkflowId(key);
  if (identity.legacyExists !== undefined && (await identity.legacyExists(legacy))) return legacy;
  return opaqueLeadId(identity.secret, key);
}

/** LEAD_ID_SECRET, or the local default generated once into the data directory (0600). */
export async function leadIdSecret(config: Pick<Config, 'dataDir' | 'privacy'>): Promise<string> {
  return config.privacy.leadIdSecret ?? localSecret(config.dataDir, 'lead-id.secret', () => randomBytes(32).toString('base64url'));
}
