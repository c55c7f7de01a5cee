// Text clean-up shared by every field. Feeds indent values, wrap them across lines and paste
// control characters from CRMs; the payload must be plain, predictable JSON strings.

// C0/C1 controls other than tab and line breaks are never meaningful in a lead and break
// downstream CSV exports and SMS bodies.
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROLS = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/g;

/** Trims and collapses every whitespace run to one space; empty becomes null. */
export function collapse(raw: string): string | null {
  const text = raw.replace(CONTROLS, '').replace(/\s+/g, ' ').trim();
  return text === '' ? null : text;
}

/** Like collapse, but keeps line breaks: comments are what a salesperson reads as written. */
export function multiline(raw: string): string | null {
  const lines = raw
    .replace(/\r\n?/g, '\n')
    .replace(CONTROLS, '')
    .split('\n')
    .map((line) => line.replace(/[^\S\n]+/g, ' ').trim());
  const text = lines.join('\n').replace(/^\n+|\n+$/g, '');
  return text === '' ? null : text;
}
