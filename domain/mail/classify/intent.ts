// The deterministic intent classifier: used without an AI key, when the AI fails, and when the
// AI is not confident. Ordered rules over the reply's new text; the first match wins, and the
// order encodes precedence (an opt-out beats interest in the same sentence).
import type { Intent } from './types.js';

const RULES: Array<[Intent, RegExp]> = [
  [
    'unsubscribe',
    /\b(unsubscribe|stop (e-?mailing|messaging|texting|contacting)|remove me|take me off|opt[ -]?out|do not (contact|email|e-mail|text)|don'?t (contact|email|e-mail|text))\b|^\s*stop\s*$/i,
  ],
  [
    'wrong_person',
    /\b(wrong (person|number|email|address)|not (the right|me)|no one (here )?by that name|never (asked|enquired|inquired|requested)|i (didn'?t|did not) (ask|request|enquire|inquire|fill))\b/i,
  ],
  ['out_of_office', /\b(out of (the )?office|on (annual )?leave|on vacation|away until|back on|limited access to (my )?e-?mail)\b/i],
  [
    'not_interested',
    /\b(not interested|no longer (interested|looking|in the market)|(already )?(bought|purchased) (a|one|another|elsewhere)|went with (another|a different)|no thanks?|not (at this time|right now)|please don'?t)\b/i,
  ],
  [
    'interested',
    /\b(interested|test[ -]?drive|come (in|by)|stop by|schedule|appointment|available|call me|give me a call|reach me|works for me|sounds good|let'?s (do|set|book)|yes\b|i'?d like|i would like|i want|book)\b/i,
  ],
  ['question', /\?|\b(how much|what (is|are|about)|does it|is it|can (you|i)|do you|price|financing|trade[- ]?in value)\b/i],
];

export function ruleIntent(text: string): Intent {
  const t = text.trim();
  if (t === '') return 'other';
  return RULES.find(([, re]) => re.test(t))?.[0] ?? 'other';
}
