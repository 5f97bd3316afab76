// How large a request body the host accepts. On Azure the knob is the app setting
// FUNCTIONS_REQUEST_BODY_SIZE_LIMIT (bytes, default 104,857,600), which the host applies to
// Kestrel's MaxRequestBodySize, so an oversized request is answered 413 before a function runs.
// host.json `extensions.http.maxRequestBodySize` is the embedded runtime's older key; Azure has
// no such key, so the app setting wins when both are given.

export const defaultRequestBodyLimit = 104_857_600;

/**
 * The Durable client API (/durabletask/, /runtime/webhooks/durabletask/) is the extension's
 * channel, not a function route: it keeps this fixed limit whatever the app setting says, so a
 * small limit for the app's routes cannot break starting orchestrations with large inputs.
 */
export const durableApiBodyLimit = 104_857_600;

export const bodyLimitSetting = 'FUNCTIONS_REQUEST_BODY_SIZE_LIMIT';

export interface BodyLimit {
  bytes: number;
  source: typeof bodyLimitSetting | 'host.json extensions.http.maxRequestBodySize' | 'default';
  /** Set when the app setting was present but unusable (and so ignored, as on Azure). */
  warning?: string;
}

export function functionBodyLimit(env: NodeJS.ProcessEnv, hostJsonLimit: number | undefined): BodyLimit {
  const text = env[bodyLimitSetting];
  let warning: string | undefined;
  if (text !== undefined && text.trim() !== '') {
    // The host parses it with long.TryParse and ignores it when that fails.
    if (/^\s*\+?\d+\s*$/.test(text) && Number.isSafeInteger(Number(text))) return { bytes: Number(text), source: bodyLimitSetting };
    warning = `${bodyLimitSetting}="${text}" is not a number of bytes; ignored`;
  }
  if (hostJsonLimit !== undefined) return { bytes: hostJsonLimit, source: 'host.json extensions.http.maxRequestBodySize', warning };
  return { bytes: defaultRequestBodyLimit, source: 'default', warning };
}
