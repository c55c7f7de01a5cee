// What `leadflow mail classify` prints and what the mailbox watcher acts on: one shape for every
// inbound message. Plain JSON, so it can cross into workflows and into the CLI's output as is.
import type { AdfProspect } from '../../adf/types.js';

export type MailKind = 'adf-lead' | 'reply' | 'auto-reply' | 'bounce' | 'complaint' | 'other';
export type BounceType = 'hard' | 'soft' | 'block';
export type Intent = 'interested' | 'question' | 'not_interested' | 'unsubscribe' | 'out_of_office' | 'wrong_person' | 'other';

/** Which path decided a reply's intent and why: the AI above its confidence bar, or the rules. */
export interface IntentResult {
  intent: Intent;
  confidence: number | null;
  path: 'ai' | 'rules';
  reason?: string;
}
/** The reply-intent port: the AI adapter (activities/ai/intent.ts) implements it, intake and the API take it injected. */
export type IntentClassifier = (text: string) => Promise<IntentResult>;

export interface BounceInfo {
  type: BounceType;
  recipient: string | null;
  /** RFC 3463 enhanced status code (e.g. 5.1.1), or null when the text gives none. */
  status: string | null;
  diagnostic: string | null;
}

export interface Classification {
  kind: MailKind;
  inReplyTo: string | null;
  references: string[];
  /** Our message this one refers to: from the DSN/ARF's returned headers, else In-Reply-To. */
  originalMessageId: string | null;
  /** This message's own Message-ID. */
  messageId: string | null;
  /** Every address it was delivered to (To, Cc, Delivered-To, X-Original-To): plus-address tokens live here. */
  recipients: string[];
  from: string | null;
  subject: string | null;
  bounce?: BounceInfo;
  /** Replies: the new text only (quotes and signature removed). */
  replyText?: string;
  intent?: Intent;
  /** Auto-replies: when the sender says they are back, when the text gives a date. */
  returnDate?: string | null;
  prospects?: AdfProspect[];
}
