// Reads host.json and local.settings.json the way `func start` does: app settings become
// environment variables (without overriding ones already set), host.json tunes the host.
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';

const hostJsonSchema = z.object({
  version: z.literal('2.0', { error: 'host.json must declare "version": "2.0"' }),
  extensions: z.object({
    http: z.object({ routePrefix: z.string().optional(), maxRequestBodySize: z.number().int().positive().optional() }).passthrough().optional(),
    durableTask: z.object({
      hubName: z.string().optional(),
      maxConcurrentActivityFunctions: z.number().int().positive().optional(),
      maxConcurrentOrchestratorFunctions: z.number().int().positive().optional(),
      // Honoured by Azure only: the embedded backend is SQLite whatever the provider and always
      // replays (no extended sessions). Typed so that code reading them (e.g. tracing) gets checked values.
      storageProvider: z.object({
        type: z.string().optional(),
        connectionName: z.string().optional(),
        partitionCount: z.number().int().min(1).max(16).optional(),
        maxQueuePollingInterval: z.string().optional(),
      }).passthrough().optional(),
      extendedSessionsEnabled: z.boolean().optional(),
      // Orchestration versioning: new instances get defaultVersion; the strategies decide which
      // instances this worker may run (see ../durable/versioning.ts).
      defaultVersion: z.string().nullable().optional(),
      versionMatchStrategy: z.enum(['None', 'Strict', 'CurrentOrOlder']).optional(),
      versionFailureStrategy: z.enum(['Reject', 'Fail']).optional(),
      tracing: z.object({
        distributedTracingEnabled: z.boolean().optional(),
        version: z.string().optional(),
        traceInputsAndOutputs: z.boolean().optional(),
        traceReplayEvents: z.boolean().optional(),
      }).passthrough().optional(),
    }).passthrough().optional(),
    serviceBus: z.object({
      prefetchCount: z.number().int().nonnegative().optional(),
      maxConcurrentCalls: z.number().int().positive().optional(),
      maxAutoLockRenewalDuration: z.string().optional(),
      maxMessageBatchSize: z.number().int().positive().optional(),
      autoCompleteMessages: z.boolean().optional(),
      // The host's own Service Bus client (receive, settle, renew); the emulator has no transient faults to retry.
      clientRetryOptions: z.object({
        mode: z.string().optional(),
        tryTimeout: z.string().optional(),
        delay: z.string().optional(),
        maxDelay: z.string().optional(),
        maxRetries: z.number().int().nonnegative().optional(),
      }).passthrough().optional(),
    }).passthrough().optional(),
  }).passthrough().optional(),
  logging: z.unknown().optional(),
  functionTimeout: z.string().optional(),
  extensionBundle: z.object({ id: z.string(), version: z.string() }).passthrough().optional(),
}).passthrough();

export type HostJson = z.infer<typeof hostJsonSchema>;

const overridePrefix = 'azurefunctionsjobhost__';

/**
 * The host's configuration overrides: an app setting `AzureFunctionsJobHost__a__b` replaces
 * host.json's `a.b` (keys matched case-insensitively), as on Azure. A value takes the type of the
 * one it replaces; a key host.json lacks gets the text as it is.
 */
export function applyHostOverrides(json: Record<string, unknown>, env: NodeJS.ProcessEnv = process.env): string[] {
  const applied: string[] = [];
  for (const [name, value] of Object.entries(env)) {
    if (value === undefined || !name.toLowerCase().startsWith(overridePrefix)) continue;
    const keys = name.slice(overridePrefix.length).split('__').filter((k) => k !== '');
    if (keys.length === 0) continue;
    let node = json;
    for (const [i, key] of keys.entries()) {
      const existing = Object.keys(node).find((k) => k.toLowerCase() === key.toLowerCase()) ?? key;
      if (i === keys.length - 1) {
        node[existing] = coerceLike(node[existing], value, name);
      } else {
        const child = node[existing];
        if (child === null || typeof child !== 'object' || Array.isArray(child)) node[existing] = {};
        node = node[existing] as Record<string, unknown>;
      }
    }
    applied.push(name);
  }
  return applied;
}

function coerceLike(current: unknown, text: string, name: string): unknown {
  if (typeof current === 'number') {
    const n = Number(text);
    if (text.trim() === '' || Number.isNaN(n)) throw new Error(`${name} must be a number, not "${text}"`);
    return n;
  }
  if (typeof current === 'boolean') {
    if (!/^(true|false)$/i.test(text)) throw new Error(`${name} must be true or false, not "${text}"`);
    return text.toLowerCase() === 'true';
  }
  return text;
}

export function readHostJson(appRoot: string, env: NodeJS.ProcessEnv = process.env): HostJson {
  const file = path.join(appRoot, 'host.json');
  if (!fs.existsSync(file)) throw new Error(`host.json not found in ${appRoot}`);
  const json = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;
  applyHostOverrides(json, env);
  const parsed = hostJsonSchema.safeParse(json);
  if (!parsed.success) throw new Error(`host.json is invalid: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`);
  return parsed.data;
}

const localSettingsSchema = z.object({
  IsEncrypted: z.boolean().optional(),
  Values: z.record(z.string(), z.string()).default({}),
  Host: z.record(z.string(), z.unknown()).optional(),
  ConnectionStrings: z.record(z.string(), z.string()).optional(),
});

/** Applies local.settings.json (if present) to process.env; returns the names it set. */
export function applyLocalSettings(appRoot: string, env: NodeJS.ProcessEnv = process.env): string[] {
  const file = path.join(appRoot, 'local.settings.json');
  if (!fs.existsSync(file)) return [];
  const parsed = localSettingsSchema.safeParse(JSON.parse(fs.readFileSync(file, 'utf8')));
  if (!parsed.success) throw new Error(`local.settings.json is invalid: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  if (parsed.data.IsEncrypted) throw new Error('local.settings.json is encrypted; decrypt it with `func settings decrypt` first');
  const set: string[] = [];
  for (const [k, v] of Object.entries(parsed.data.Values)) {
    if (env[k] === undefined) {
      env[k] = v;
      set.push(k);
    }
  }
  return set;
}

/** .NET TimeSpan text ("hh:mm:ss" or "d.hh:mm:ss") to milliseconds. */
export function timeSpanMs(text: string): number {
  const m = /^(?:(\d+)\.)?(\d{1,2}):(\d{2}):(\d{2})(?:\.(\d+))?$/.exec(text.trim());
  if (!m) throw new Error(`"${text}" is not a TimeSpan (expected [d.]hh:mm:ss)`);
  const [, d, h, min, s, frac] = m;
  return ((Number(d ?? 0) * 24 + Number(h)) * 60 + Number(min)) * 60_000 + Number(s) * 1000 + (frac ? Math.round(Number(`0.${frac}`) * 1000) : 0);
}
