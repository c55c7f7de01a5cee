// The inbox registry's shapes. Secrets are write-only: they appear in request bodies (inline, or
// as the name of an environment variable) and never in an answer, which only says whether one is
// set. The policy is checked by the inbox workflow's own validator (it names the field), so here
// it is an open object.
import { Type } from 'typebox';
import { JsonObject, Nullable, NullableDateTime, StringEnum, WithDefaults, page, pageEcho } from './common.js';

const Host = Type.String({ minLength: 1, maxLength: 255 });
const Port = Type.Integer({ minimum: 1, maximum: 65535 });
const Secret = Type.String({ minLength: 1, maxLength: 4096 });
const EnvName = Type.String({ minLength: 1, maxLength: 128 });
const Url = Type.String({ format: 'uri', maxLength: 2048 });

const server = {
  host: Type.Optional(Host),
  port: Type.Optional(Port),
  secure: Type.Optional(Type.Boolean()),
  user: Type.Optional(Type.String({ minLength: 1, maxLength: 320 })),
  password: Type.Optional(Secret),
  passwordEnv: Type.Optional(EnvName),
};

const connection = {
  smtp: Type.Optional(Type.Object(server, { additionalProperties: false })),
  imap: Type.Optional(Type.Object({ ...server, mailbox: Type.Optional(Type.String({ minLength: 1, maxLength: 500 })) }, { additionalProperties: false })),
  sendgrid: Type.Optional(
    Type.Object({ apiKey: Type.Optional(Secret), apiKeyEnv: Type.Optional(EnvName), baseUrl: Type.Optional(Url) }, { additionalProperties: false }),
  ),
  twilio: Type.Optional(
    Type.Object(
      {
        accountSid: Type.Optional(Type.String({ pattern: '^AC[0-9a-fA-F]{32}$' })),
        authToken: Type.Optional(Secret),
        authTokenEnv: Type.Optional(EnvName),
        baseUrl: Type.Optional(Url),
        messagingServiceSid: Type.Optional(Type.String({ pattern: '^MG[0-9a-fA-F]{32}$' })),
      },
      { additionalProperties: false },
    ),
  ),
};

const Policy = Type.Unsafe<Record<string, unknown>>(
  Type.Object({}, { additionalProperties: true, description: 'InboxPolicy fields to set (merged onto the defaults)' }),
);
const DisplayName = Type.String({ minLength: 1, maxLength: 200 });

export const CreateInboxBody = Type.Object(
  {
    id: Type.String({ pattern: '^[a-z0-9][a-z0-9-]{0,62}$', description: 'a slug: lower-case letters, digits and -' }),
    kind: StringEnum(['smtp', 'sendgrid', 'sms'] as const),
    address: Type.String({ minLength: 3, maxLength: 320, description: 'the From e-mail, or the E.164 number / Messaging Service SID' }),
    displayName: Type.Optional(DisplayName),
    policy: Type.Optional(Policy),
    ...connection,
  },
  { additionalProperties: false },
);

export const PatchInboxBody = Type.Object(
  {
    displayName: Type.Optional(Nullable(DisplayName)),
    address: Type.Optional(Type.String({ minLength: 3, maxLength: 320 })),
    policy: Type.Optional(Policy),
    ...connection,
  },
  { additionalProperties: false, minProperties: 1 },
);

export const InboxIdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 63 }) });

export const PauseInboxBody = Type.Object(
  {
    reason: Type.String({ minLength: 1, maxLength: 500 }),
    until: Type.Optional(Type.String({ format: 'date-time', description: 'resume by itself then; absent: until an operator resumes' })),
  },
  { additionalProperties: false },
);
export const ResumeInboxBody = Type.Object({}, { additionalProperties: false });

export const ListInboxesQuery = WithDefaults(
  Type.Object({ kind: Type.Optional(StringEnum(['smtp', 'sendgrid', 'sms'] as const)), ...page(100) }, { additionalProperties: false }),
);

export const InboxView = Type.Object(
  {
    id: Type.String(),
    kind: Type.String(),
    channel: Type.String(),
    address: Type.String(),
    displayName: Nullable(Type.String()),
    status: Type.String(),
    /** The sender configured by environment variables (SENDGRID_* / SMTP_* / TWILIO_*): pause and resume only. */
    implicit: Type.Boolean(),
    /** What actually sends: the provider, or `local` (the local outbox, no credentials). */
    provider: Type.String(),
    policy: JsonObject,
    settings: JsonObject,
    verifiedAt: NullableDateTime,
    /** Day 0 of the warm-up ramp; null for the implicit inboxes. */
    createdAt: NullableDateTime,
    updatedAt: NullableDateTime,
  },
  { additionalProperties: false },
);

export const InboxList = Type.Object({ items: Type.Array(InboxView), ...pageEcho });

export const PatchedInbox = Type.Object(
  {
    ...InboxView.properties,
    /** Whether a running inbox workflow took the new policy (it reads the stored one when it next starts). */
    workflow: Type.Object({ applied: Type.Boolean(), detail: Type.String() }),
  },
  { additionalProperties: false },
);

export const InboxSignalAccepted = Type.Object({ inboxId: Type.String(), accepted: Type.Boolean() });
