// The payload keys every test process and every leadflow process a test spawns share, so an
// in-process client reads what a spawned worker wrote and the other way round. A fixed test key:
// tests prove encryption happens (tests/integration/privacy*.test.ts), not that this key is secret.
import { encryptingDataConverter, parsePayloadKeys } from '../../temporal/codec.js';

export const TEST_PAYLOAD_KEYS = `test-1:${Buffer.alloc(32, 7).toString('base64')}`;
export const TEST_LEAD_ID_SECRET = 'test-lead-id-secret-0123456789abcdef';
export const testDataConverter = encryptingDataConverter(parsePayloadKeys(TEST_PAYLOAD_KEYS));

/** Lead IDs as the API and intake make them, with the test secret (no legacy lookup). */
export const testIdentity = { secret: TEST_LEAD_ID_SECRET };
