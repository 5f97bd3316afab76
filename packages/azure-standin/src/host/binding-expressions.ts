// Binding expressions as the WebJobs SDK resolves them in binding properties such as a blob
// `path` or a timer `schedule`:
//   %Setting%       an app setting, resolved once when the host indexes the function
//                   (INameResolver.ResolveWholeString);
//   {name}          a value of the trigger's binding data (keys compared case-insensitively),
//   {Query.id}      a dotted path into it (HTTP: Query, Headers, route params, a JSON body's
//                   top-level properties; blob trigger: the path pattern's values, BlobTrigger, …);
//   {rand-guid}     a new GUID ({rand-guid:N} with a .NET Guid format), alias {sys.randguid};
//   {DateTime}      UTC now as yyyy-MM-ddTHH-mm-ssZ ({DateTime:yyyyMMdd} with a .NET custom
//                   format) unless the binding data has a `DateTime` value, alias {sys.utcnow};
//   {sys.methodname} the function's name.
// `{{` and `}}` stand for literal braces. A name the data lacks fails the binding with the
// SDK's "No value for named parameter" error. A trigger path (a blob trigger's) is the same
// template used the other way round: each {name} captures `.*` (greedy) of a blob's name.
import { randomUUID } from 'node:crypto';
import type { RegisteredFunction } from './core-api';
import { decodeTypedData } from './output-values';
import type { RpcHttpData, RpcParameterBinding, RpcTypedData } from '../core/rpc-types';

export type BindingData = Record<string, unknown>;

interface Literal {
  kind: 'literal';
  text: string;
}
interface Parameter {
  kind: 'parameter';
  /** As written between the braces, e.g. `Query.id` or `DateTime:yyyy`. */
  expression: string;
}
type Token = Literal | Parameter;

/** The %Name% app-setting references in `text`, resolved from `env` (a missing one throws). */
export function resolveAppSettings(text: string, env: NodeJS.ProcessEnv = process.env): string {
  return text.replace(/%([^%]+)%/g, (_whole, name: string) => {
    const value = settingValue(env, name);
    if (value === undefined) throw new Error(`'%${name}%' does not resolve to a value: the app setting "${name}" is not set`);
    return value;
  });
}

/** An app setting looked up as the host's configuration does: names are case-insensitive. */
export function settingValue(env: NodeJS.ProcessEnv, name: string): string | undefined {
  if (env[name] !== undefined) return env[name];
  const lower = name.toLowerCase();
  for (const [k, v] of Object.entries(env)) if (k.toLowerCase() === lower) return v;
  return undefined;
}

export class BindingTemplate {
  readonly tokens: readonly Token[];
  private capture?: RegExp;

  constructor(readonly pattern: string) {
    this.tokens = parseTemplate(pattern);
  }

  get parameterNames(): string[] {
    return this.tokens.filter((t): t is Parameter => t.kind === 'parameter').map((t) => t.expression);
  }

  get hasParameters(): boolean {
    return this.tokens.some((t) => t.kind === 'parameter');
  }

  /** The literal text before the first parameter: a listing prefix for a trigger path. */
  get literalPrefix(): string {
    let prefix = '';
    for (const t of this.tokens) {
      if (t.kind === 'parameter') break;
      prefix += t.text;
    }
    return prefix;
  }

  /** The template with every parameter replaced (BindingTemplate.Bind). */
  bind(data: BindingData, context: { functionName?: string; now?: () => Date; newGuid?: () => string } = {}): string {
    let out = '';
    for (const t of this.tokens) {
      out += t.kind === 'literal' ? t.text : resolveParameter(t.expression, data, context);
    }
    return out;
  }

  /**
   * The parameter values a concrete string (a blob's path) yields, or undefined when it does not
   * fit (BindingTemplateSource.CreateBindingData: each parameter captures `.*`, greedily).
   */
  match(value: string): Record<string, string> | undefined {
    this.capture ??= new RegExp(
      `^${this.tokens.map((t) => (t.kind === 'literal' ? escapeRegExp(t.text) : '(.*)')).join('')}$`,
      's',
    );
    const m = this.capture.exec(value);
    if (!m) return undefined;
    const values: Record<string, string> = {};
    this.parameterNames.forEach((name, i) => {
      values[name] = m[i + 1];
    });
    return values;
  }
}

function parseTemplate(pattern: string): Token[] {
  const tokens: Token[] = [];
  let literal = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '{' && pattern[i + 1] === '{') {
      literal += '{';
      i++;
    } else if (c === '}' && pattern[i + 1] === '}') {
      literal += '}';
      i++;
    } else if (c === '{') {
      const end = pattern.indexOf('}', i + 1);
      if (end < 0) throw new Error(`Invalid template '${pattern}': missing closing brace`);
      const expression = pattern.slice(i + 1, end).trim();
      if (expression === '' || expression.includes('{')) throw new Error(`Invalid template '${pattern}': invalid parameter at position ${i}`);
      if (literal !== '') tokens.push({ kind: 'literal', text: literal });
      literal = '';
      tokens.push({ kind: 'parameter', expression });
      i = end;
    } else if (c === '}') {
      throw new Error(`Invalid template '${pattern}': unmatched closing brace at position ${i}`);
    } else {
      literal += c;
    }
  }
  if (literal !== '') tokens.push({ kind: 'literal', text: literal });
  return tokens;
}

function resolveParameter(expression: string, data: BindingData, ctx: { functionName?: string; now?: () => Date; newGuid?: () => string }): string {
  const now = () => (ctx.now ? ctx.now() : new Date());
  const guid = () => (ctx.newGuid ? ctx.newGuid() : randomUUID());
  const lower = expression.toLowerCase();
  // The legacy built-ins take an optional ":format" (BindingParameterResolver).
  if (lower.startsWith('rand-guid') && (lower.length === 9 || lower[9] === ':')) return formatGuid(guid(), formatPart(expression, 9));
  if (lower.startsWith('datetime') && (lower.length === 8 || lower[8] === ':')) {
    const user = lookup(data, ['DateTime']);
    if (lower.length === 8 && user.found) return toBindingString(user.value);
    return formatDateTime(now(), formatPart(expression, 8) ?? defaultDateTimeFormat);
  }
  if (lower === 'sys.randguid') return formatGuid(guid(), undefined);
  if (lower === 'sys.utcnow') return formatDateTime(now(), defaultDateTimeFormat);
  if (lower === 'sys.methodname' && ctx.functionName !== undefined) return ctx.functionName;
  const found = lookup(data, expression.split('.'));
  if (!found.found || found.value === null || found.value === undefined) throw new Error(`No value for named parameter '${expression}'.`);
  return toBindingString(found.value);
}

function formatPart(expression: string, nameLength: number): string | undefined {
  return expression.length > nameLength ? expression.slice(nameLength + 1) : undefined;
}

/** Walks a dotted path through the binding data, matching each key case-insensitively. */
function lookup(data: unknown, path: string[]): { found: boolean; value?: unknown } {
  let node: unknown = data;
  for (const part of path) {
    if (node === null || typeof node !== 'object') return { found: false };
    const obj = node as Record<string, unknown>;
    if (Object.prototype.hasOwnProperty.call(obj, part)) {
      node = obj[part];
      continue;
    }
    const key = Object.keys(obj).find((k) => k.toLowerCase() === part.toLowerCase());
    if (key === undefined) return { found: false };
    node = obj[key];
  }
  return { found: true, value: node };
}

/** How a bound value reads in a path: strings as they are, numbers invariant, booleans as .NET prints them. */
function toBindingString(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'bigint') return String(value);
  if (typeof value === 'boolean') return value ? 'True' : 'False';
  if (value instanceof Date) return value.toISOString();
  return JSON.stringify(value);
}

const defaultDateTimeFormat = "yyyy-MM-ddTHH-mm-ssZ";

/** Guid.ToString(format): D (default), N, B, P. */
export function formatGuid(guid: string, format: string | undefined): string {
  const d = guid.toLowerCase();
  switch ((format ?? 'D').toUpperCase()) {
    case 'D':
      return d;
    case 'N':
      return d.replace(/-/g, '');
    case 'B':
      return `{${d}}`;
    case 'P':
      return `(${d})`;
    default:
      throw new Error(`Format String can be only "D", "d", "N", "n", "P", "p", "B" or "b" (got "${format}")`);
  }
}

/**
 * DateTime.ToString(format) for a UTC time with the invariant culture: the standard formats
 * o/O, s, u and the custom specifiers y M d H h m s f F t, quoted literals and `\` escapes;
 * any other character (T, Z, -, /, :) is copied as it is.
 */
export function formatDateTime(date: Date, format: string): string {
  const pad = (n: number, w: number) => String(n).padStart(w, '0');
  const Y = date.getUTCFullYear();
  const Mo = date.getUTCMonth() + 1;
  const D = date.getUTCDate();
  const H = date.getUTCHours();
  const Mi = date.getUTCMinutes();
  const S = date.getUTCSeconds();
  const ms = date.getUTCMilliseconds();
  if (format === 'o' || format === 'O') return `${pad(Y, 4)}-${pad(Mo, 2)}-${pad(D, 2)}T${pad(H, 2)}:${pad(Mi, 2)}:${pad(S, 2)}.${pad(ms, 3)}0000Z`;
  if (format === 's') return `${pad(Y, 4)}-${pad(Mo, 2)}-${pad(D, 2)}T${pad(H, 2)}:${pad(Mi, 2)}:${pad(S, 2)}`;
  if (format === 'u') return `${pad(Y, 4)}-${pad(Mo, 2)}-${pad(D, 2)} ${pad(H, 2)}:${pad(Mi, 2)}:${pad(S, 2)}Z`;
  let out = '';
  for (let i = 0; i < format.length; ) {
    const c = format[i];
    if (c === "'" || c === '"') {
      const end = format.indexOf(c, i + 1);
      out += format.slice(i + 1, end < 0 ? format.length : end);
      i = end < 0 ? format.length : end + 1;
      continue;
    }
    if (c === '\\') {
      out += format[i + 1] ?? '';
      i += 2;
      continue;
    }
    let n = 1;
    while (format[i + n] === c) n++;
    const fraction = (digits: number) => pad(ms, 3).padEnd(7, '0').slice(0, digits);
    switch (c) {
      case 'y':
        out += n === 2 ? pad(Y % 100, 2) : n === 1 ? String(Y % 100) : pad(Y, n);
        break;
      case 'M':
        out += n >= 3 ? monthName(Mo, n) : pad(Mo, n);
        break;
      case 'd':
        out += n >= 3 ? dayName(date.getUTCDay(), n) : pad(D, n);
        break;
      case 'H':
        out += pad(H, Math.min(n, 2));
        break;
      case 'h':
        out += pad(H % 12 === 0 ? 12 : H % 12, Math.min(n, 2));
        break;
      case 'm':
        out += pad(Mi, Math.min(n, 2));
        break;
      case 's':
        out += pad(S, Math.min(n, 2));
        break;
      case 'f':
        out += fraction(Math.min(n, 7));
        break;
      case 'F':
        out += fraction(Math.min(n, 7)).replace(/0+$/, '');
        break;
      case 't':
        out += (H < 12 ? 'AM' : 'PM').slice(0, n === 1 ? 1 : 2);
        break;
      default:
        out += c.repeat(n);
    }
    i += n;
  }
  return out;
}

const months = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const days = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const monthName = (m: number, n: number) => (n === 3 ? months[m - 1].slice(0, 3) : months[m - 1]);
const dayName = (d: number, n: number) => (n === 3 ? days[d].slice(0, 3) : days[d]);

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** The invocation's trigger, as the host hands it to the worker. */
export interface TriggerInput {
  inputData: RpcParameterBinding[];
  triggerMetadata?: Record<string, RpcTypedData>;
}

/**
 * The trigger's binding data, from which {name} expressions in the function's other bindings
 * are resolved:
 * - HTTP (HttpTriggerAttributeBindingProvider.GetRequestBindingData): a JSON object body's
 *   top-level properties, then the query parameters but `code`, then the route parameters, each
 *   overriding the one before; `Query` and `Headers` hold the whole collections.
 * - activityTrigger (ActivityTriggerBinding): `instanceId` (pass it in `extra`), the input under
 *   the trigger's name and under `data`.
 * - any other trigger: its trigger metadata, which is the binding data the host hands the
 *   worker (strings as they are, JSON decoded).
 * - then, for every trigger but HTTP, a JSON object trigger value's top-level properties.
 * `extra` is merged last (e.g. `{ instanceId }` for an activity).
 */
export function bindingDataFor(fn: RegisteredFunction, input: TriggerInput, extra: BindingData = {}): BindingData {
  const bindings = fn.metadata.bindings ?? {};
  const triggerEntry = Object.entries(bindings).find(([, b]) => /trigger$/i.test(b.type));
  const data: BindingData = {};
  if (triggerEntry) {
    const [triggerName, trigger] = triggerEntry;
    const triggerValue = input.inputData.find((i) => i.name === triggerName)?.data;
    const type = trigger.type.toLowerCase();
    if (type === 'httptrigger' && triggerValue?.http) {
      Object.assign(data, httpBindingData(triggerValue.http));
    } else if (type === 'activitytrigger' && triggerValue) {
      const value = parseLoose(triggerValue);
      data[triggerName] = value;
      data.data = value;
    }
  }
  for (const [key, value] of Object.entries(input.triggerMetadata ?? {})) {
    if (!(key in data)) data[key] = decodeTypedData(value);
  }
  // The host's Utility.ApplyBindingData: a trigger value that is a JSON object lends its
  // top-level properties (but arrays) to the binding data, so an activity's output path can say
  // {backupPath} for its input's backupPath (the Durable samples' backupSiteContent does).
  if (triggerEntry && triggerEntry[1].type.toLowerCase() !== 'httptrigger') {
    const value = input.inputData.find((i) => i.name === triggerEntry[0])?.data;
    const parsed = value ? parseLoose(value) : undefined;
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed) && !Buffer.isBuffer(parsed)) {
      for (const [key, v] of Object.entries(parsed)) if (v !== null && v !== undefined && !Array.isArray(v)) data[key] = typeof v === 'object' ? v : String(v);
    }
  }
  return Object.assign(data, extra);
}

function parseLoose(value: RpcTypedData): unknown {
  if (value.string !== undefined) {
    try {
      return JSON.parse(value.string) as unknown;
    } catch {
      return value.string;
    }
  }
  return decodeTypedData(value);
}

export function httpBindingData(http: RpcHttpData): BindingData {
  const data: BindingData = {};
  const body = http.body;
  const text = body?.string ?? (body?.bytes ? Buffer.from(body.bytes).toString('utf8') : body?.json);
  if (text !== undefined && text.trim().startsWith('{')) {
    try {
      const parsed = JSON.parse(text) as unknown;
      if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) Object.assign(data, parsed);
    } catch {
      // not JSON: no body properties
    }
  }
  const query = nullableOr(http.nullableQuery, http.query);
  for (const [k, v] of Object.entries(query)) if (k.toLowerCase() !== 'code') setCaseInsensitive(data, k, v);
  for (const [k, v] of Object.entries(nullableOr(http.nullableParams, http.params))) setCaseInsensitive(data, k, v);
  // With HTTP streaming the trigger carries only the route params: the query and headers come in
  // the trigger metadata (which bindingDataFor adds), so absent collections are left out here.
  if (!hasKey(data, 'Query') && (http.query !== undefined || http.nullableQuery !== undefined)) data.Query = query;
  if (!hasKey(data, 'Headers') && (http.headers !== undefined || http.nullableHeaders !== undefined)) data.Headers = nullableOr(http.nullableHeaders, http.headers);
  return data;
}

function nullableOr(nullable: Record<string, { value?: string }> | undefined, plain: Record<string, string> | undefined): Record<string, string> {
  if (nullable && Object.keys(nullable).length > 0) {
    const out: Record<string, string> = {};
    for (const [k, v] of Object.entries(nullable)) if (v.value !== undefined) out[k] = v.value;
    return out;
  }
  return { ...(plain ?? {}) };
}

function hasKey(data: BindingData, key: string): boolean {
  return Object.keys(data).some((k) => k.toLowerCase() === key.toLowerCase());
}

function setCaseInsensitive(data: BindingData, key: string, value: unknown): void {
  const existing = Object.keys(data).find((k) => k.toLowerCase() === key.toLowerCase());
  if (existing !== undefined) delete data[existing];
  data[key] = value;
}
