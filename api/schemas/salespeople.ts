// Salespeople: who leads are handed over to.
import { Type } from 'typebox';
import { Nullable } from './common.js';

export const SalespersonIdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 100 }) });

export const Salesperson = Type.Object({
  id: Type.String(),
  name: Type.String(),
  email: Type.String(),
  manager_email: Nullable(Type.String()),
  team: Nullable(Type.String()),
  away: Type.Boolean(),
});

export const SalespersonList = Type.Object({ items: Type.Array(Salesperson) });

export const NewSalesperson = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 200 }),
    email: Type.String({ format: 'email', maxLength: 320 }),
    managerEmail: Type.Optional(Nullable(Type.String({ format: 'email', maxLength: 320 }))),
    team: Type.Optional(Nullable(Type.String({ minLength: 1, maxLength: 200 }))),
  },
  { additionalProperties: false },
);

export const SalespersonAway = Type.Object({ away: Type.Boolean() }, { additionalProperties: false });

/** No body. */
export const NoContent = Type.Unsafe<void>({ type: 'null', description: 'Done; no body' });
