// A number in [0, 1) derived from a string (FNV-1a): the jitter of a slot comes from its request
// key, so it is the same on replay and on a repeated request, and spread across keys.
export function unitHash(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h / 0x100000000;
}
