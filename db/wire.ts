// The few pieces of the PostgreSQL v3 wire protocol the embedded server needs: framing of
// frontend messages, the startup packet's kinds, ReadyForQuery's status, and an ErrorResponse.
// https://www.postgresql.org/docs/current/protocol-message-formats.html

const SSL_REQUEST = 80877103;
const GSS_REQUEST = 80877104;
const CANCEL_REQUEST = 80877102;
const PROTOCOL_3 = 196608;
/** No frontend message of ours comes near this; a larger length is a broken or hostile client. */
const MAX_MESSAGE = 64 * 1024 * 1024;

export type StartupKind = 'ssl' | 'gss' | 'cancel' | 'startup' | 'unknown';

/** The first complete startup-phase packet in `buf` (no type byte), or null when incomplete. */
export function startupPacket(buf: Buffer): { kind: StartupKind; length: number; bytes: Buffer } | null {
  if (buf.length < 8) return null;
  const length = buf.readInt32BE(0);
  if (length < 8 || length > MAX_MESSAGE) return { kind: 'unknown', length: buf.length, bytes: buf };
  if (buf.length < length) return null;
  const code = buf.readInt32BE(4);
  const kind: StartupKind =
    code === SSL_REQUEST ? 'ssl' : code === GSS_REQUEST ? 'gss' : code === CANCEL_REQUEST ? 'cancel' : code === PROTOCOL_3 ? 'startup' : 'unknown';
  return { kind, length, bytes: Buffer.from(buf.subarray(0, length)) };
}

/** Splits `buf` into complete typed frontend messages (type byte + Int32 length + body) and the rest. */
export function frontendMessages(buf: Buffer): { messages: Uint8Array[]; rest: Buffer } {
  const messages: Uint8Array[] = [];
  let at = 0;
  while (buf.length - at >= 5) {
    const length = buf.readInt32BE(at + 1);
    if (length < 4 || length > MAX_MESSAGE) throw new Error(`malformed frontend message (length ${length})`);
    if (buf.length - at < 1 + length) break;
    messages.push(new Uint8Array(buf.subarray(at, at + 1 + length)));
    at += 1 + length;
  }
  return { messages, rest: Buffer.from(buf.subarray(at)) };
}

/** The transaction status of the last ReadyForQuery ('Z') in a backend answer: I, T or E; null if none. */
export function readyStatus(out: Uint8Array): string | null {
  let status: string | null = null;
  let at = 0;
  const view = new DataView(out.buffer, out.byteOffset, out.byteLength);
  while (out.length - at >= 5) {
    const length = view.getInt32(at + 1);
    if (out[at] === 0x5a && length === 5 && at + 5 < out.length) status = String.fromCharCode(out[at + 5]!);
    at += 1 + length;
  }
  return status;
}

/** An ErrorResponse ('E') with severity, SQLSTATE and message. */
export function backendError(severity: 'ERROR' | 'FATAL', code: string, message: string): Buffer {
  const fields = Buffer.concat([
    Buffer.from(`S${severity}\0`),
    Buffer.from(`V${severity}\0`),
    Buffer.from(`C${code}\0`),
    Buffer.from(`M${message}\0`),
    Buffer.from([0]),
  ]);
  const head = Buffer.alloc(5);
  head.write('E', 0);
  head.writeInt32BE(4 + fields.length, 1);
  return Buffer.concat([head, fields]);
}

/** An Authentication ('R') message with its Int32 kind and payload. */
export function authMessage(kind: number, payload: Buffer = Buffer.alloc(0)): Buffer {
  const head = Buffer.alloc(9);
  head.write('R', 0);
  head.writeInt32BE(8 + payload.length, 1);
  head.writeInt32BE(kind, 5);
  return Buffer.concat([head, payload]);
}
