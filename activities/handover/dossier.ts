// The handover dossier: everything a salesperson needs to call the lead back now, as one HTML
// e-mail (with a plain-text twin): contact, vehicles, score and its reasons, the conversation, a
// summary, a suggested answer (held for the rep, never sent by itself) and the acknowledge link.
import type { Draft } from '../../domain/messages/draft-types.js';
import type { Summary } from './summary.js';

export interface DossierData {
  lead: { id: string; name: string; email: string | null; phone: string | null; source: string; campaign: string | null };
  vehicles: string[];
  score: { score: number; tier: string; reasons: Array<{ rule: string; points: number; detail: string }> } | null;
  conversation: Array<{ from: 'lead' | 'us'; at: string; text: string }>;
  summary: Summary;
  suggested: Draft;
  ackUrl: string;
  leadUrl: string;
  escalation: number;
}

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);

export function renderDossier(d: DossierData): { subject: string; text: string; html: string } {
  const prefix = d.escalation > 0 ? `[Escalation ${d.escalation}: not yet acknowledged] ` : '';
  const subject = `${prefix}Hot lead: ${d.lead.name}${d.vehicles[0] !== undefined ? ` — ${d.vehicles[0]}` : ''}`;
  const contact = [d.lead.email, d.lead.phone].filter((x) => x !== null).join(' · ');
  const reasons = d.score?.reasons.map((r) => `${r.points > 0 ? '+' : ''}${r.points} ${r.detail}`) ?? [];
  const text = [
    subject,
    '',
    d.summary.text,
    '',
    `Contact: ${d.lead.name} ${contact}`,
    `Source: ${d.lead.source}${d.lead.campaign !== null ? ` (campaign ${d.lead.campaign})` : ''}`,
    `Vehicles: ${d.vehicles.join('; ') || '—'}`,
    d.score !== null ? `Score: ${d.score.score}/100 (${d.score.tier}) — ${reasons.join(', ')}` : 'Score: —',
    '',
    'Conversation:',
    ...d.conversation.map((m) => `[${m.at}] ${m.from === 'lead' ? d.lead.name : 'us'}: ${m.text}`),
    '',
    `Suggested answer (${d.suggested.path}):`,
    d.suggested.body,
    '',
    `Acknowledge (take the lead): ${d.ackUrl}`,
    `Lead: ${d.leadUrl}`,
  ].join('\n');
  const html = `<!doctype html><html><body style="font-family:sans-serif;max-width:40rem">
<h2>${esc(subject)}</h2><p>${esc(d.summary.text)}</p>
<p><a href="${esc(d.ackUrl)}" style="background:#0a7;color:#fff;padding:.6em 1.2em;text-decoration:none;border-radius:4px">I'm on it — acknowledge</a></p>
<table><tr><th align="left">Contact</th><td>${esc(d.lead.name)} ${esc(contact)}</td></tr>
<tr><th align="left">Source</th><td>${esc(d.lead.source)}${d.lead.campaign !== null ? ` (campaign ${esc(d.lead.campaign)})` : ''}</td></tr>
<tr><th align="left">Vehicles</th><td>${esc(d.vehicles.join('; ') || '—')}</td></tr>
<tr><th align="left">Score</th><td>${d.score !== null ? `${d.score.score}/100 (${esc(d.score.tier)})<ul>${reasons.map((r) => `<li>${esc(r)}</li>`).join('')}</ul>` : '—'}</td></tr></table>
<h3>Conversation</h3>${d.conversation.map((m) => `<p><b>${m.from === 'lead' ? esc(d.lead.name) : 'us'}</b> <small>${esc(m.at)}</small><br>${esc(m.text).replace(/\n/g, '<br>')}</p>`).join('')}
<h3>Suggested answer <small>(${d.suggested.path})</small></h3><pre style="white-space:pre-wrap">${esc(d.suggested.body)}</pre>
<p><a href="${esc(d.leadUrl)}">Open the lead</a></p></body></html>`;
  return { subject, text, html };
}
