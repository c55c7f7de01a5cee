// The server side of SCRAM-SHA-256 (RFC 5802, RFC 7677) as PostgreSQL speaks it, for the embedded
// database's loopback server: the password never crosses the socket, and a client that does not
// know it gets "password authentication failed" before PGlite sees a byte of its queries.
import { createHash, createHmac, pbkdf2Sync, randomBytes, timingSafeEqual } from 'node:crypto';
import { authMessage } from './wire.js';

const MECHANISM = 'SCRAM-SHA-256';
const ITERATIONS = 4096;
const AUTH_SASL = 10;
const AUTH_SASL_CONTINUE = 11;
const AUTH_SASL_FINAL = 12;

const hmac = (key: Buffer, text: string): Buffer => createHmac('sha256', key).update(text).digest();
const sha256 = (b: Buffer): Buffer => createHash('sha256').update(b).digest();

function attrs(text: string): Map<string, string> {
  return new Map(
    text
      .split(',')
      .filter((p) => p.includes('='))
      .map((p) => [p.slice(0, p.indexOf('=')), p.slice(p.indexOf('=') + 1)]),
  );
}

/** The body of a SASLInitialResponse / SASLResponse ('p') message after its 5-byte header. */
function body(m: Uint8Array): Buffer {
  return Buffer.from(m.subarray(5));
}

export type ScramStep = { reply: Buffer; error?: undefined } | { error: string; reply?: undefined };

export class ScramServer {
  private readonly salt = randomBytes(16);
  private readonly salted: Buffer;
  private state: 'initial' | 'continue' | 'done' = 'initial';
  private clientFirstBare = '';
  private serverFirst = '';
  private nonce = '';

  constructor(password: string) {
    this.salted = pbkdf2Sync(password.normalize('NFKC'), this.salt, ITERATIONS, 32, 'sha256');
  }

  get done(): boolean {
    return this.state === 'done';
  }

  /** AuthenticationSASL: the one mechanism offered. */
  begin(): Buffer {
    return authMessage(AUTH_SASL, Buffer.from(`${MECHANISM}\0\0`));
  }

  step(m: Uint8Array): ScramStep {
    if (m[0] !== 0x70 /* p */) return { error: 'password authentication required (SCRAM-SHA-256)' };
    const failed = { error: 'password authentication failed' } as const;
    if (this.state === 'initial') {
      const b = body(m);
      const nul = b.indexOf(0);
      if (nul < 0 || b.subarray(0, nul).toString() !== MECHANISM || b.length < nul + 5) return { error: `only ${MECHANISM} is supported` };
      const first = b.subarray(nul + 5).toString('utf8');
      // gs2 header: "n,," (no channel binding) or "y,,"; then the bare message "n=user,r=nonce".
      const parts = first.split(',');
      if (parts.length < 4 || !['n', 'y'].includes(parts[0] ?? '')) return failed;
      this.clientFirstBare = parts.slice(2).join(',');
      const clientNonce = attrs(this.clientFirstBare).get('r');
      if (clientNonce === undefined || clientNonce === '') return failed;
      this.nonce = clientNonce + randomBytes(18).toString('base64');
      this.serverFirst = `r=${this.nonce},s=${this.salt.toString('base64')},i=${ITERATIONS}`;
      this.state = 'continue';
      return { reply: authMessage(AUTH_SASL_CONTINUE, Buffer.from(this.serverFirst)) };
    }
    if (this.state !== 'continue') return failed;
    const final = body(m).toString('utf8');
    const a = attrs(final);
    const proof = a.get('p');
    if (a.get('r') !== this.nonce || proof === undefined) return failed;
    const withoutProof = final.slice(0, final.lastIndexOf(',p='));
    const authMsg = `${this.clientFirstBare},${this.serverFirst},${withoutProof}`;
    const clientKey = hmac(this.salted, 'Client Key');
    const storedKey = sha256(clientKey);
    const signature = hmac(storedKey, authMsg);
    const given = Buffer.from(proof, 'base64');
    if (given.length !== signature.length) return failed;
    const recovered = Buffer.from(given.map((byte, i) => byte ^ signature[i]!));
    if (!timingSafeEqual(sha256(recovered), storedKey)) return failed;
    this.state = 'done';
    const serverSignature = hmac(hmac(this.salted, 'Server Key'), authMsg).toString('base64');
    return { reply: authMessage(AUTH_SASL_FINAL, Buffer.from(`v=${serverSignature}`)) };
  }
}
