// Campaign templates: one language, Liquid (liquidjs), in a safe mode. Operators write them, so a
// typo must fail loudly when the campaign is saved rather than send "Hi ," to ten thousand people:
// an unknown variable or filter is an error naming it; partials (include/render/layout) are
// refused at parse time and the engine has only an empty in-memory file map, so nothing is ever
// read from disk; and liquidjs's DoS limits bound parse size, render time and allocations.
//
// Custom columns: `fields.<column>` may be referenced even though the import's columns are not
// known when the campaign is validated. A prospect who lacks a referenced column renders it as
// empty (null: `default` and `{% if %}` treat it as unset); the preview warns about it.
import { Liquid, Tokenizer, TypeGuards, type Template } from 'liquidjs';
import type { TemplateData } from './spec.js';

/** The standard variables; `fields.<column>` holds the import's other columns. */
export const TEMPLATE_VARIABLES = ['firstName', 'lastName', 'email', 'phone', 'company', 'senderName'] as const;
const ROOTS = new Set<string>([...TEMPLATE_VARIABLES, 'fields']);

/** Longest template text accepted (a subject or body; rendered text is far shorter). */
export const MAX_TEMPLATE_LENGTH = 10_000;

export const LIQUID_LIMITS = Object.freeze({
  /** Characters per parse: a template over MAX_TEMPLATE_LENGTH is refused before this anyway. */
  parseLimit: 20_000,
  /** Milliseconds per render. */
  renderLimit: 250,
  /** liquidjs allocation units per render: a `(1..100000000)` range or a huge join fails fast. */
  memoryLimit: 1_000_000,
  /** Tags, outputs and text nodes rendered per call (a loop body counts once per turn). */
  templateLimit: 10_000,
});

const engine = new Liquid({
  strictVariables: true,
  strictFilters: true,
  ownPropertyOnly: true,
  // An empty in-memory map replaces the file system: even a tag we failed to refuse finds nothing.
  templates: {},
  parseLimit: LIQUID_LIMITS.parseLimit,
  renderLimit: LIQUID_LIMITS.renderLimit,
  memoryLimit: LIQUID_LIMITS.memoryLimit,
});
for (const tag of ['include', 'render', 'layout']) {
  engine.registerTag(tag, {
    parse() {
      throw new Error(`the ${tag} tag is not available in campaign templates (a template is one self-contained text)`);
    },
    render() {
      return '';
    },
  });
}

/** A template that cannot be parsed or rendered; `variable`/`filter` name the culprit when known. */
export class TemplateError extends Error {
  constructor(
    message: string,
    readonly variable?: string,
    readonly filter?: string,
  ) {
    super(message);
    this.name = 'TemplateError';
  }
}

const known = `known variables: ${TEMPLATE_VARIABLES.join(', ')}, fields.<column>`;

function parse(text: string): Template[] {
  if (text.length > MAX_TEMPLATE_LENGTH) throw new TemplateError(`the template is ${text.length} characters, over ${MAX_TEMPLATE_LENGTH}`);
  try {
    return engine.parse(text);
  } catch (err) {
    const message = (err as Error).message;
    const filter = /undefined filter: ([^\s,]+)/.exec(message)?.[1];
    throw new TemplateError(filter === undefined ? message : `unknown filter "${filter}" (${message})`, undefined, filter);
  }
}

/** One reference to an outside variable, as written: `firstName`, `fields.model`. */
export interface VariableRef {
  path: string;
  line: number;
  col: number;
}

function references(tpl: Template[]): VariableRef[] {
  const globals = engine.analyzeSync(tpl, { partials: false }).globals;
  return Object.values(globals).flatMap((vars) =>
    vars.map((v) => {
      const segs = v.segments;
      const root = String(segs[0]);
      // `fields.x` is a variable of its own; deeper segments (`firstName.size`) are properties.
      const path = root === 'fields' && typeof segs[1] === 'string' ? `fields.${segs[1]}` : root;
      return { path, line: v.location.row, col: v.location.col };
    }),
  );
}

function compiled(text: string): { tpl: Template[]; variables: string[] } {
  const tpl = parse(text);
  const refs = references(tpl);
  const unknown = refs.find((r) => !ROOTS.has(r.path.split('.')[0] ?? ''));
  if (unknown !== undefined) throw new TemplateError(`unknown variable "${unknown.path}" (line ${unknown.line}, col ${unknown.col}); ${known}`, unknown.path);
  return { tpl, variables: [...new Set(refs.map((r) => r.path))] };
}

/**
 * Parses and checks every variable reference, in every branch (a render only sees the branch it
 * takes). Throws a TemplateError naming the first unknown variable or filter.
 */
export function compileTemplate(text: string): { variables: string[] } {
  return { variables: compiled(text).variables };
}

/** The variables a template references (`firstName`, `fields.model`), or a TemplateError. */
export const referencedVariables = (text: string): string[] => compileTemplate(text).variables;

/** The render scope: the prospect, with every referenced `fields.x` it lacks set to null (renders empty). */
function scopeOf(data: TemplateData, variables: readonly string[]): Record<string, unknown> {
  const fields: Record<string, string | null> = { ...data.fields };
  for (const v of variables) {
    const name = v.startsWith('fields.') ? v.slice('fields.'.length) : null;
    if (name !== null && !Object.hasOwn(fields, name)) fields[name] = null;
  }
  const { firstName, lastName, email, phone, company, senderName } = data;
  return { firstName, lastName, email, phone, company, senderName, fields };
}

function renderParsed(text: string, data: TemplateData): string {
  const { tpl, variables } = compiled(text);
  try {
    const out: unknown = engine.renderSync(tpl, scopeOf(data, variables), { templateLimit: LIQUID_LIMITS.templateLimit });
    return String(out);
  } catch (err) {
    const message = (err as Error).message;
    const variable = /undefined variable: ([^\s,]+)/.exec(message)?.[1];
    if (variable === undefined) throw new TemplateError(message);
    // A known root with an unknown property (`firstName.constructor`) is not a missing variable.
    const hint = ROOTS.has(variable.split('.')[0] ?? '') ? 'no such property' : known;
    throw new TemplateError(`unknown variable "${variable}" (${message}); ${hint}`, variable);
  }
}

/**
 * Renders `text` for one prospect. Null and empty variables are defined values (they render
 * empty; `default` replaces them); an unknown variable or filter, a partial or a limit throws.
 */
export function renderTemplate(text: string, data: TemplateData): string {
  return renderParsed(text, data);
}

// Private-use characters: they never occur in operator text, so they delimit each output's value.
const OPEN = '\uE000';
const MID = '\uE001';
const CLOSE = '\uE002';

/**
 * The `{{ ... }}` outputs that rendered empty or blank for this prospect (e.g. `{{ firstName }}`
 * without a default for a prospect with no first name). For the preview's warnings only: each
 * output is wrapped in markers and rendered once more; what the prospect gets is renderTemplate's.
 */
export function emptyOutputs(text: string, data: TemplateData): string[] {
  compiled(text);
  const outputs: string[] = [];
  let marked = '';
  let at = 0;
  for (const token of new Tokenizer(text, engine.options.operators).readTopLevelTokens(engine.options)) {
    if (!TypeGuards.isOutputToken(token)) continue;
    marked += `${text.slice(at, token.begin)}${OPEN}${outputs.length}${MID}${text.slice(token.begin, token.end)}${CLOSE}`;
    outputs.push(text.slice(token.begin, token.end));
    at = token.end;
  }
  marked += text.slice(at);
  const rendered = renderParsed(marked, data);
  const empty = new Set<string>();
  for (const m of rendered.matchAll(new RegExp(`${OPEN}(\\d+)${MID}\\s*${CLOSE}`, 'g'))) {
    const source = outputs[Number(m[1])];
    if (source !== undefined) empty.add(source);
  }
  return [...empty];
}
