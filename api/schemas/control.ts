// The global emergency stop: the request bodies and the state every control route answers with.
import { Type } from 'typebox';
import { RAMP_RANGE, REASON_MAX } from '../../workflows/control/contract.js';
import { Nullable } from './common.js';

export const EmergencyStopBody = Type.Object(
  // At least one non-space character: an empty reason tells the next operator nothing.
  { reason: Type.String({ minLength: 1, maxLength: REASON_MAX, pattern: '\\S', description: 'Why all sending stops (shown by GET /control, audited)' }) },
  { additionalProperties: false },
);

const perMinute = { minimum: RAMP_RANGE.perMinute.min, maximum: RAMP_RANGE.perMinute.max };
const RampInput = Type.Object(
  {
    initialPerMinute: Type.Optional(Type.Number({ ...perMinute, description: 'Messages a minute across the system at first (default 1)' })),
    doublingEveryMinutes: Type.Optional(
      Type.Number({
        minimum: RAMP_RANGE.doublingMinutes.min,
        maximum: RAMP_RANGE.doublingMinutes.max,
        description: 'The rate doubles after each such period (default 60)',
      }),
    ),
    maxPerMinute: Type.Optional(Type.Number({ ...perMinute, description: 'Above this rate the ramp ends (default 10,000)' })),
  },
  { additionalProperties: false },
);

export const ResumeBody = Type.Object(
  { ramp: Type.Optional(Nullable(RampInput)) },
  { additionalProperties: false, description: "ramp omitted: the workers' default (RESUME_RAMP_*); null: no ramp" },
);

const Ramp = Type.Object({
  initialPerMinute: Type.Number(),
  doublingEveryMinutes: Type.Number(),
  maxPerMinute: Type.Number(),
  startedAt: Type.String({ format: 'date-time' }),
  currentPerMinute: Type.Number(),
  active: Type.Boolean({ description: 'Whether the ramp still limits sends' }),
  lastPermitAt: Nullable(Type.String({ format: 'date-time' })),
});

export const ControlStateSchema = Type.Object({
  stopped: Type.Boolean(),
  reason: Nullable(Type.String()),
  stoppedBy: Nullable(Type.String()),
  stoppedAt: Nullable(Type.String({ format: 'date-time' })),
  resumedBy: Nullable(Type.String()),
  resumedAt: Nullable(Type.String({ format: 'date-time' })),
  ramp: Nullable(Ramp),
  updatedAt: Type.String({ format: 'date-time' }),
});
