// parseAdf: ADF 1.0 lead documents (and what real feeds send instead) to plain JSON.
// Pipeline: size cap → decode bytes → prepare (entity policy, prolog, stray `&`) → validate and
// parse (fast-xml-parser) → check it is ADF → normalise. Only AdfParseError ever leaves.
import type { AdfDocument } from './types.js';
import { decodeInput } from './encoding.js';
import { AdfParseError } from './errors.js';
import { normalizeAdf } from './normalize.js';
import { prepareXml } from './prepare.js';
import { parseTree } from './xml.js';

export { AdfParseError, type AdfParseErrorCode, type SourcePosition } from './errors.js';
export { MAX_ADF_ELEMENTS } from './prepare.js';

/**
 * Real lead documents are a few KB, a batch of a hundred leads well under 1 MiB. The cap is 1 MiB,
 * not 5: hostile 5 MiB inputs (five million bare `&`) measured 20 s and 1.9 GB of heap, 1 MiB ≈ 1 s.
 */
export const MAX_ADF_BYTES = 1024 * 1024;

function byteLength(input: string | Uint8Array): number {
  return typeof input === 'string' ? Buffer.byteLength(input, 'utf8') : input.byteLength;
}

function parseChecked(input: string | Uint8Array): AdfDocument {
  if (typeof input !== 'string' && !(input instanceof Uint8Array)) {
    throw new AdfParseError('not-xml', 'input must be a string or bytes');
  }
  const size = byteLength(input);
  if (size > MAX_ADF_BYTES) throw new AdfParseError('too-large', `document is ${size} bytes; the limit is ${MAX_ADF_BYTES}`);

  const { rootName, root } = parseTree(prepareXml(decodeInput(input)));
  if (rootName !== 'adf') throw new AdfParseError('not-adf', `root element is <${rootName}>, not <adf>`);
  const document = normalizeAdf(root);
  if (document.prospects.length === 0) throw new AdfParseError('not-adf', '<adf> contains no <prospect>: nothing to ingest');
  return document;
}

/**
 * Parses an ADF document given as text or raw bytes (encoding from BOM / XML declaration).
 * @throws AdfParseError, and nothing else, for any input.
 */
export function parseAdf(input: string | Uint8Array): AdfDocument {
  try {
    return parseChecked(input);
  } catch (err) {
    if (err instanceof AdfParseError) throw err;
    // Anything else is a bug here or in a dependency; callers still get the one error type.
    throw new AdfParseError('internal', `ADF parser failed unexpectedly: ${err instanceof Error ? err.message : String(err)}`);
  }
}
