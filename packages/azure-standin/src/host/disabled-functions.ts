// Functions switched off by the app setting `AzureWebJobs.<name>.Disabled` = true (or 1), as on
// Azure: their triggers do not listen; a disabled HTTP function answers 404 unless the caller
// presents the master key, which still runs it.
import type { RegisteredFunction } from './core-api';

export function isDisabled(fn: RegisteredFunction, env: NodeJS.ProcessEnv = process.env): boolean {
  const wanted = `azurewebjobs.${fn.metadata.name}.disabled`.toLowerCase();
  const key = Object.keys(env).find((k) => k.toLowerCase() === wanted);
  const value = key === undefined ? undefined : env[key]?.trim().toLowerCase();
  return value === 'true' || value === '1';
}

export const enabledFunctions = (functions: Iterable<RegisteredFunction>, env: NodeJS.ProcessEnv = process.env): RegisteredFunction[] =>
  [...functions].filter((fn) => !isDisabled(fn, env));
