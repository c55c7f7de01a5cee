// POST /campaigns/:id/preview: a campaign's every step and variant rendered for a prospect the
// client describes, with the warnings to read before starting it (domain/campaigns/preview.ts).
import { Type, type Static } from 'typebox';
import { Nullable, StringEnum } from './common.js';

export const PreviewParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 200 }) });

const Value = Type.String({ maxLength: 1000 });

export const PreviewBody = Type.Object(
  {
    prospect: Type.Object(
      {
        firstName: Type.Optional(Nullable(Value)),
        lastName: Type.Optional(Nullable(Value)),
        email: Type.Optional(Nullable(Value)),
        phone: Type.Optional(Nullable(Value)),
        company: Type.Optional(Nullable(Value)),
        fields: Type.Optional(
          Type.Record(Type.String({ minLength: 1, maxLength: 200 }), Value, { maxProperties: 200, description: "the import's other columns, by name" }),
        ),
      },
      { additionalProperties: false },
    ),
  },
  { additionalProperties: false },
);
export type PreviewBody = Static<typeof PreviewBody>;

const Warning = Type.Object({
  variant: Type.String(),
  part: StringEnum(['subject', 'body'] as const),
  code: StringEnum([
    'render_error',
    'empty_variable',
    'missing_field',
    'old_placeholder',
    'stray_brace',
    'bracket_placeholder',
    'default_sender',
    'default_subject',
    'empty_text',
    'too_long',
  ] as const),
  message: Type.String(),
});

export const CampaignPreview = Type.Object({
  campaignId: Type.String(),
  steps: Type.Array(
    Type.Object({
      step: Type.Integer({ minimum: 1 }),
      channel: StringEnum(['email', 'sms'] as const),
      delay: Type.String(),
      prompt: Nullable(Type.String({ description: 'the AI instruction; the variants are then its frame and fallback' })),
      variants: Type.Array(Type.Object({ id: Type.String(), weight: Type.Number(), subject: Nullable(Type.String()), body: Type.String() })),
      warnings: Type.Array(Warning),
    }),
  ),
});
