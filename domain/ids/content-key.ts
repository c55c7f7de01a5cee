// A content-derived arrival key: the same bytes ingested twice are the same arrival.
import { createHash } from 'node:crypto';

export const contentKey = (raw: Buffer): string => createHash('sha256').update(raw).digest('hex').slice(0, 32);
