// A transport that records every provider call it receives (what the stand-in servers count in
// the integration tests) and can refuse chosen recipients the way a provider does permanently.
import { PermanentSendError } from '../../activities/send/errors.js';
import type { OutboundMessage, Transport } from '../../activities/send/transports.js';

export interface RecordingTransport extends Transport {
  sends: Array<{ msg: OutboundMessage }>;
  refused: string[];
}

export function recordingTransport(opts: { refuse?: (to: string) => boolean } = {}): RecordingTransport {
  const sends: RecordingTransport['sends'] = [];
  const refused: string[] = [];
  return {
    provider: 'local',
    sends,
    refused,
    async send(msg) {
      if (opts.refuse?.(msg.to) === true) {
        refused.push(msg.idempotencyKey);
        throw new PermanentSendError({ provider: 'sendgrid', code: 'to', status: 400, providerMessage: 'Does not contain a valid address.' });
      }
      sends.push({ msg });
      return { providerMessageId: `rec:${msg.idempotencyKey}` };
    },
  };
}
