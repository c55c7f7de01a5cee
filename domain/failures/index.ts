// The Temporal failure types this product throws and matches on, spelled once. Activities throw
// them (ApplicationFailure type or an error class's name); workflows list them in retry policies
// and branch on them, so a renamed failure fails the type check instead of silently retrying.
export const Failure = {
  /** The lead's input cannot become a lead (empty source, malformed sequence): no retry helps. */
  InvalidLead: 'InvalidLeadError',
  /** The provider refused for good (bad address, opted-out recipient, bad key). */
  PermanentSend: 'PermanentSendError',
  /** Throttled, provider down or network trouble: the same send may succeed later. */
  TransientSend: 'TransientSendError',
  /** A send's outcome was lost and the provider cannot tell us: a person decides. */
  SendUncertain: 'SendUncertainError',
  /** The address or number is on the suppression list. */
  Suppressed: 'SuppressedError',
  /** A lost outcome still inside the provider-evidence window: retried until it settles. */
  SendOutcomePending: 'SendOutcomePending',
  /** The global emergency stop refused the provider call; the message is still pending, nothing was sent. */
  SendingStopped: 'SendingStoppedError',
  /** The inbox's last guard refused the send (paused, or today's limit reached): the slot goes back and the lead asks again. */
  SlotRevoked: 'SlotRevokedError',
  /** The lead's campaign is paused or cancelled: nothing was called; the lead asks its slot again (which waits while the campaign does). */
  CampaignHeld: 'CampaignHeldError',
  /**
   * A campaign lead's step cannot be drafted from its campaign (the step was removed, no variant
   * renders for this prospect): the lead waits for a person, never for the built-in dealer text.
   */
  CampaignDraftHeld: 'CampaignDraftHeldError',
} as const;

export type FailureType = (typeof Failure)[keyof typeof Failure];
