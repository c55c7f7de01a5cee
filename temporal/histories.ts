// Committed workflow histories: the proof that today's workflow code still replays yesterday's
// executions. Stored as Temporal's own JSON history format under histories/<workflowType>/.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Client } from '@temporalio/client';
import { historyFromJSON, historyToJSON, type History } from '@temporalio/common/lib/proto-utils.js';

export const HISTORIES_DIR = fileURLToPath(new URL('../histories/', import.meta.url));

export interface StoredHistory {
  workflowType: string;
  name: string;
  file: string;
  workflowId: string;
  history: History;
}

/** The workflow ID is kept in the file name's sidecar so replay sees the same ID as the original run. */
export async function recordHistory(client: Client, workflowId: string, file: string, runId?: string): Promise<{ workflowType: string }> {
  const handle = client.workflow.getHandle(workflowId, runId);
  const history = await handle.fetchHistory();
  const started = history.events?.[0]?.workflowExecutionStartedEventAttributes;
  const workflowType = started?.workflowType?.name;
  if (!workflowType) throw new Error(`history of ${workflowId} has no start event`);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const json = JSON.parse(historyToJSON(history)) as Record<string, unknown>;
  fs.writeFileSync(file, JSON.stringify({ workflowId, ...json }, null, 2) + '\n');
  return { workflowType };
}

export function loadHistories(dir = HISTORIES_DIR): StoredHistory[] {
  if (!fs.existsSync(dir)) return [];
  const out: StoredHistory[] = [];
  for (const workflowType of fs.readdirSync(dir).sort()) {
    const typeDir = path.join(dir, workflowType);
    if (!fs.statSync(typeDir).isDirectory()) continue;
    for (const name of fs
      .readdirSync(typeDir)
      .filter((f) => f.endsWith('.json'))
      .sort()) {
      const file = path.join(typeDir, name);
      const { workflowId, ...rest } = JSON.parse(fs.readFileSync(file, 'utf8')) as { workflowId?: string };
      if (typeof workflowId !== 'string') throw new Error(`${file} has no workflowId`);
      out.push({ workflowType, name: name.replace(/\.json$/, ''), file, workflowId, history: historyFromJSON(rest) });
    }
  }
  return out;
}
