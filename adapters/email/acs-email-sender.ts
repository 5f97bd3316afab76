// EmailSender on Azure Communication Services Email through the official SDK. The idempotency
// key becomes the ACS operation id, so a retried send returns the first operation instead of
// mailing the customer twice; the call waits for the service's final verdict.
import { createHash } from 'node:crypto';
import { EmailClient } from '@azure/communication-email';
import type { EmailClientOptions, EmailSendResult } from '@azure/communication-email';
import { DefaultAzureCredential } from '@azure/identity';
import type { EmailMessage, EmailSender } from '../../application/ports';

export interface AcsEmailSenderConfig {
  /** `endpoint=https://…;accesskey=…` (the local simulator uses http and a root path). */
  connectionString?: string;
  /** Used with managed identity (DefaultAzureCredential) when there is no connection string. */
  endpoint?: string;
  /** `DoNotReply@<verified domain>` or another user on a verified domain. */
  senderAddress: string;
  /** Status polling interval; the SDK's default is 2 s. */
  pollIntervalMs?: number;
  /** The SDK's own retries of 429/5xx/network errors within one send (SDK default 3). */
  maxRetries?: number;
  /** Gives up waiting (retryable) after this long; default 60 s. */
  timeoutMs?: number;
  /** Permits an http:// endpoint; defaults to true only for a loopback host (the local simulator). */
  allowInsecureConnection?: boolean;
}

/** Fixed namespace of this app's email operation ids; changing it would re-send every email. */
export const emailOperationNamespace = '5f0c3c1e-7d1a-4c51-9a49-2b8f6c0e4d21';

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The GUID ACS sees for an idempotency key such as "<orderId>:<stage>". The SDK sends
 * `operationId` as a Uuid (and throws on anything else), so keys are mapped with a name-based
 * UUID (RFC 4122 version 5: SHA-1 of namespace + name): the same key gives the same GUID on every
 * retry and in every process. A key that already is a GUID is used as it is.
 */
export function acsOperationId(key: string, namespace: string = emailOperationNamespace): string {
  if (uuidPattern.test(key)) return key.toLowerCase();
  const ns = Buffer.from(namespace.replace(/-/g, ''), 'hex');
  const bytes = createHash('sha1').update(ns).update(key, 'utf8').digest().subarray(0, 16);
  bytes[6] = (bytes[6] & 0x0f) | 0x50; // version 5
  bytes[8] = (bytes[8] & 0x3f) | 0x80; // RFC 4122 variant
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

export type SendOutcome = Awaited<ReturnType<EmailSender['send']>>;

export class AcsEmailSender implements EmailSender {
  private readonly client: EmailClient;

  constructor(private readonly config: AcsEmailSenderConfig) {
    const endpoint = config.connectionString ? /endpoint=([^;]*)/i.exec(config.connectionString)?.[1] : config.endpoint;
    // The SDK's HTTP client refuses plain http unless told otherwise.
    const options: EmailClientOptions = { allowInsecureConnection: config.allowInsecureConnection ?? isLoopbackHttp(endpoint) };
    if (config.maxRetries !== undefined) options.retryOptions = { maxRetries: config.maxRetries };
    if (config.connectionString) {
      this.client = new EmailClient(config.connectionString, options);
    } else if (config.endpoint) {
      const credential = new DefaultAzureCredential({ managedIdentityClientId: process.env.AZURE_CLIENT_ID });
      this.client = new EmailClient(config.endpoint, credential, options);
    } else {
      throw new Error('AcsEmailSender needs a connectionString or an endpoint');
    }
  }

  async send(message: EmailMessage): Promise<SendOutcome> {
    const abortSignal = AbortSignal.timeout(this.config.timeoutMs ?? 60_000);
    let poller: Awaited<ReturnType<EmailClient['beginSend']>>;
    try {
      poller = await this.client.beginSend(
        {
          senderAddress: this.config.senderAddress,
          content: { subject: message.subject, html: message.html, plainText: message.text },
          recipients: { to: [{ address: message.to.address, displayName: message.to.displayName }] },
        },
        { operationId: acsOperationId(message.operationId), updateIntervalInMs: this.config.pollIntervalMs, abortSignal },
      );
    } catch (err) {
      return requestFailure(err);
    }
    let result: EmailSendResult;
    try {
      result = await poller.pollUntilDone({ abortSignal });
    } catch (err) {
      // core-lro throws a plain Error for a Failed operation; the poller state tells it apart
      // from a failed status request.
      const state = poller.getOperationState();
      if (state.status === 'failed') return { ok: false, retryable: false, reason: errorText(state.error ?? err) };
      return requestFailure(err);
    }
    if (result.status === 'Succeeded') return { ok: true, messageId: result.id };
    // Failed/Canceled is final for this operation id: sending again returns the same verdict.
    const detail = result.error ? `${result.error.code ?? ''} ${result.error.message ?? ''}`.trim() : '';
    return { ok: false, retryable: false, reason: `email operation ${result.status}${detail ? `: ${detail}` : ''}` };
  }
}

function isLoopbackHttp(endpoint: string | undefined): boolean {
  if (!endpoint) return false;
  try {
    const url = new URL(endpoint);
    return url.protocol === 'http:' && ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname);
  } catch {
    return false; // the SDK reports the malformed endpoint itself
  }
}

/** A request that got no usable answer: throttling, server and network errors are worth a retry. */
function requestFailure(err: unknown): SendOutcome {
  const e = err as { statusCode?: unknown; code?: unknown; name?: unknown } | null;
  const status = typeof e?.statusCode === 'number' ? e.statusCode : undefined;
  // Without a status, only transport failures (RestError with e.g. ECONNREFUSED) and our timeout
  // are transient; anything else (e.g. the SDK rejecting the message locally) would fail again.
  const transient = e?.name === 'RestError' || e?.name === 'AbortError' || e?.name === 'TimeoutError';
  const retryable = status === undefined ? transient : status === 408 || status === 429 || status >= 500;
  const prefix = status === undefined ? (typeof e?.code === 'string' ? e.code : String(e?.name ?? 'error')) : `HTTP ${status}`;
  return { ok: false, retryable, reason: `${prefix}: ${errorText(err)}` };
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
