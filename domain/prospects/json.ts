// JSON prospect lists: an array of objects, or `{ "prospects": [...] }`. Read whole: JSON.parse
// has no streaming mode and the callers cap the bytes. Item i (0-based) is row i + 2, the row it
// would have in a spreadsheet with a header, so CSV and JSON uploads report rows alike.
import { planColumns } from './columns.js';
import type { ProspectCollector } from './rows.js';
import { ProspectListError, type ColumnTarget, type ProspectMapping } from './types.js';

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function itemsOf(doc: unknown): unknown[] {
  if (Array.isArray(doc)) return doc;
  if (isObject(doc) && Array.isArray(doc.prospects)) return doc.prospects;
  throw new ProspectListError('JSON prospect lists are an array of objects, or {"prospects": [...]}');
}

/** Reads JSON text into the collector; returns every key, in first-seen order. */
export async function readJson(text: AsyncIterable<string>, collector: ProspectCollector, mapping?: ProspectMapping): Promise<string[]> {
  let source = '';
  for await (const chunk of text) source += chunk;
  let doc: unknown;
  try {
    doc = JSON.parse(source);
  } catch (err) {
    throw new ProspectListError(`not valid JSON: ${err instanceof Error ? err.message : String(err)}`);
  }
  const items = itemsOf(doc);

  const keys = new Set<string>();
  for (const item of items) if (isObject(item)) for (const key of Object.keys(item)) keys.add(key);
  const columns = [...keys];
  const plan = planColumns(columns, mapping);
  // planColumns speaks of trimmed names; keys are looked up as they are written.
  const targetOf = new Map(columns.map((key, i) => [key, plan[i] ?? null]));

  for (const [i, item] of items.entries()) {
    const row = i + 2;
    collector.count();
    if (!isObject(item)) {
      collector.problem(row, 'row', `is ${item === null ? 'null' : Array.isArray(item) ? 'an array' : `a ${typeof item}`}, not an object`);
      continue;
    }
    const values: Array<[ColumnTarget, string]> = [];
    let nested: string | null = null;
    for (const [key, value] of Object.entries(item)) {
      const target = targetOf.get(key) ?? null;
      if (target === null || value === null) continue;
      if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') {
        values.push([target, String(value)]); // a phone written as a number is still a phone
        continue;
      }
      nested = key; // an object or array: no prospect attribute is structured
      break;
    }
    if (nested !== null) collector.problem(row, nested, 'is an object or array, not text');
    else collector.check(row, values);
  }
  return columns;
}
