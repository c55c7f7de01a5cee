// Provider webhooks. Their bodies are verified over the exact bytes (SendGrid) or the form
// parameters (Twilio) inside the handler, before anything is read, so the routes declare no body
// schema: validation would answer before the signature check does.
import { Type } from 'typebox';

export const SendGridHeaders = Type.Object({
  'x-twilio-email-event-webhook-signature': Type.Optional(Type.String({ description: 'base64 ECDSA signature of timestamp + body' })),
  'x-twilio-email-event-webhook-timestamp': Type.Optional(Type.String({ description: 'Unix seconds' })),
});

/** One SendGrid event: checked in the handler once the signature holds. Open: the rest is stored as sent. */
export const SendGridEvent = Type.Object({ sg_event_id: Type.String(), event: Type.String() }, { additionalProperties: true });

export const TwilioHeaders = Type.Object({
  'x-twilio-signature': Type.Optional(Type.String({ description: 'Twilio request signature over our public URL and the POST parameters' })),
});

/** What we put in the status callback URL when sending. */
export const TwilioStatusQuery = Type.Object({
  // An index key (MAX_PROVIDER_KEY_BYTES): 128 characters are at most 512 bytes in UTF-8.
  lead_id: Type.Optional(Type.String({ maxLength: 128 })),
  step: Type.Optional(Type.String()),
});

export const WebhookReceipt = Type.Object({
  accepted: Type.Integer(),
  duplicates: Type.Integer(),
  signalled: Type.Integer(),
  /** SendGrid: the events of the batch that could not be stored (the others were): which, where, why. */
  refused: Type.Optional(
    Type.Array(Type.Object({ index: Type.Integer(), field: Type.String({ description: 'JSON pointer into the batch' }), message: Type.String() })),
  ),
});

/** Empty TwiML: no automatic answer. */
export const TwiML = { description: 'Empty TwiML', content: { 'text/xml': { schema: Type.String() } } };
