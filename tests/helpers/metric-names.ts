// Metric names on both sides of the observability contract: the names a PromQL query reads
// (alerts, dashboard panels, the runbook) and the names the code exports (a Prometheus text scrape,
// or prom-client's registry). A small tokenizer rather than a PromQL parser: it only has to tell
// metric names from functions, keywords, label names and durations.
import fs from 'node:fs';

const AGGREGATIONS = ['sum', 'min', 'max', 'avg', 'group', 'stddev', 'stdvar', 'count', 'count_values', 'bottomk', 'topk', 'quantile', 'limitk', 'limit_ratio'];
/** Words that are never metric names where they stand (binary operators, modifiers, literals). */
const KEYWORDS = new Set([...AGGREGATIONS, 'and', 'or', 'unless', 'bool', 'offset', 'atan2', 'inf', 'nan', 'start', 'end']);
/** Keywords whose parenthesised list holds label names, not metrics. */
const LABEL_LISTS = new Set(['by', 'without', 'on', 'ignoring', 'group_left', 'group_right']);

type Token = { kind: 'ident' | 'punct' | 'other'; text: string };

function tokenize(expr: string): Token[] {
  const tokens: Token[] = [];
  const re =
    /\s+|#[^\n]*|"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`|\$\{?[A-Za-z_][A-Za-z0-9_]*\}?|\d[\w.]*|[A-Za-z_:][A-Za-z0-9_:]*|[(){}[\],]|[^\sA-Za-z0-9_(){}[\],"'`$#]+/gy;
  for (let m = re.exec(expr); m !== null && m[0] !== ''; m = re.exec(expr)) {
    const t = m[0];
    if (/^\s|^#/.test(t)) continue;
    if (/^[A-Za-z_:]/.test(t)) tokens.push({ kind: 'ident', text: t });
    else if (/^[(){}[\],]$/.test(t)) tokens.push({ kind: 'punct', text: t });
    else tokens.push({ kind: 'other', text: t }); // strings, numbers, durations, Grafana $variables, operators
  }
  return tokens;
}

/** Index just past the bracket that closes the one at `i`. */
function skipGroup(tokens: Token[], i: number): number {
  const open = tokens[i]?.text;
  const close = open === '(' ? ')' : open === '{' ? '}' : ']';
  let depth = 0;
  for (let j = i; j < tokens.length; j++) {
    if (tokens[j]?.text === open) depth++;
    else if (tokens[j]?.text === close && --depth === 0) return j + 1;
  }
  return tokens.length;
}

/** The metric names a PromQL expression reads (sorted, unique). */
export function promqlMetricNames(expr: string): string[] {
  const tokens = tokenize(expr);
  const names = new Set<string>();
  for (let i = 0; i < tokens.length;) {
    const t = tokens[i] as Token;
    const next = tokens[i + 1];
    if (t.kind === 'punct' && (t.text === '{' || t.text === '[')) {
      i = skipGroup(tokens, i); // label matchers, ranges and subqueries
    } else if (t.kind === 'ident' && LABEL_LISTS.has(t.text)) {
      i = next?.text === '(' ? skipGroup(tokens, i + 1) : i + 1;
    } else if (t.kind === 'ident' && next?.text === '(') {
      i += 1; // a function call (or an aggregation written `sum(...)`)
    } else {
      if (t.kind === 'ident' && !KEYWORDS.has(t.text)) names.add(t.text);
      i += 1;
    }
  }
  return [...names].sort();
}

/**
 * Every name a Prometheus text scrape answers to: sample names, and each family named by its
 * HELP/TYPE lines (a labelled metric nobody has touched yet shows only those) with the series a
 * histogram or summary family will have.
 */
export function exposedNames(text: string): Set<string> {
  const names = new Set<string>();
  for (const line of text.split('\n')) {
    const meta = /^# (?:HELP|TYPE) ([A-Za-z_:][A-Za-z0-9_:]*)(?: (\w+))?/.exec(line);
    if (meta !== null) {
      const [, family = '', type] = meta;
      names.add(family);
      if (line.startsWith('# TYPE') && type === 'histogram') for (const s of ['_bucket', '_sum', '_count']) names.add(family + s);
      if (line.startsWith('# TYPE') && type === 'summary') for (const s of ['_sum', '_count']) names.add(family + s);
      continue;
    }
    const sample = /^([A-Za-z_:][A-Za-z0-9_:]*)[{ ]/.exec(line);
    if (sample?.[1] !== undefined) names.add(sample[1]);
  }
  return names;
}

/** The `expr` of every rule in a Prometheus rules file (plain scalars, quoted, or `|`/`>` blocks: the forms the file uses). */
export function ruleExpressions(file: string): Array<{ alert: string; expr: string }> {
  const lines = fs.readFileSync(file, 'utf8').split('\n');
  const out: Array<{ alert: string; expr: string }> = [];
  let alert = '';
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as string;
    const named = /^\s*-?\s*(?:alert|record):\s*(\S+)/.exec(line);
    if (named?.[1] !== undefined) alert = named[1];
    const m = /^(\s*)(?:-\s*)?expr:\s*(.*)$/.exec(line);
    if (m === null) continue;
    const [, indent = '', value = ''] = m;
    if (/^[|>][-+]?$/.test(value.trim())) {
      const block: string[] = [];
      for (let j = i + 1; j < lines.length; j++) {
        const l = lines[j] as string;
        if (l.trim() !== '' && l.length - l.trimStart().length <= indent.length) break;
        block.push(l);
      }
      out.push({ alert, expr: block.join('\n') });
    } else {
      out.push({ alert, expr: value.trim().replace(/^(['"])(.*)\1$/, '$2') });
    }
  }
  return out;
}

interface Panel {
  title?: string;
  targets?: Array<{ expr?: string }>;
  panels?: Panel[];
}
interface Dashboard {
  panels?: Panel[];
  templating?: { list?: Array<{ name?: string; query?: string | { query?: string } }> };
}

/** Every PromQL query of a Grafana dashboard (panels, rows' panels) and the metrics its variables read (`label_values(metric, label)`). */
export function dashboardQueries(file: string): Array<{ where: string; expr: string }> {
  const d = JSON.parse(fs.readFileSync(file, 'utf8')) as Dashboard;
  const out: Array<{ where: string; expr: string }> = [];
  const walk = (panels: Panel[] = []) => {
    for (const p of panels) {
      for (const t of p.targets ?? []) if (t.expr !== undefined) out.push({ where: `panel "${p.title ?? '?'}"`, expr: t.expr });
      walk(p.panels);
    }
  };
  walk(d.panels);
  for (const v of d.templating?.list ?? []) {
    const q = typeof v.query === 'string' ? v.query : v.query?.query;
    const m = q === undefined ? null : /label_values\(\s*([^,)]+)/.exec(q);
    if (m?.[1] !== undefined) out.push({ where: `variable $${v.name ?? '?'}`, expr: m[1] });
  }
  return out;
}
