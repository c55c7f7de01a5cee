// The data converter every leadflow client and worker uses: payloads encrypted with the keys of
// PAYLOAD_ENCRYPTION_KEYS, or, unset, with a key generated once into the data directory (the
// local default). Every process of one install must use the same keys: a worker that cannot
// decrypt a workflow's input fails its tasks until it is given the key.
import { randomBytes } from 'node:crypto';
import type { DataConverter } from '@temporalio/common';
import { ConfigError, type Config } from '../config/index.js';
import { localSecret } from '../config/local-secret.js';
import { encryptingDataConverter, formatPayloadKeys, parsePayloadKeys, PayloadKeyError, type PayloadKey } from './codec.js';

export async function payloadKeysFromConfig(config: Pick<Config, 'dataDir' | 'privacy'>): Promise<PayloadKey[]> {
  const text =
    config.privacy.payloadKeys ?? (await localSecret(config.dataDir, 'payload-keys', () => formatPayloadKeys([{ id: 'local-1', key: randomBytes(32) }])));
  try {
    return parsePayloadKeys(text);
  } catch (err) {
    if (!(err instanceof PayloadKeyError)) throw err;
    const where = config.privacy.payloadKeys !== undefined ? 'PAYLOAD_ENCRYPTION_KEYS' : `${config.dataDir}/payload-keys`;
    throw new ConfigError(`${where}: ${err.message}`);
  }
}

export async function dataConverterFromConfig(config: Pick<Config, 'dataDir' | 'privacy'>): Promise<DataConverter> {
  return encryptingDataConverter(await payloadKeysFromConfig(config));
}
