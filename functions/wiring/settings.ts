// Every app setting the code reads, validated once on first use. Azure provides them as app
// settings (bicep/), `func start` from local.settings.json, the embedded runtime fills the
// service endpoints it hosts. A test checks this list against Bicep and the sample settings.
import { z } from 'zod';

const optional = z.preprocess((v) => (v === '' ? undefined : v), z.string().optional());
const withDefault = (value: string) => z.preprocess((v) => (v === '' || v === undefined ? value : v), z.string().min(1));
/** An optional http(s) URL that must contain `placeholder`, filled in per order or parcel. */
const urlTemplate = (name: string, placeholder: string) =>
  z.preprocess(
    (v) => (v === '' ? undefined : v),
    z.string().refine((v) => v.includes(placeholder) && /^https?:\/\/[^/\s]+/.test(v), `${name} must be an http(s) URL containing ${placeholder}`).optional(),
  );
const number = (value: number, min: number) => z.preprocess((v) => (v === '' || v === undefined ? String(value) : v), z.coerce.number().int().min(min));

export const settingsSchema = z.object({
  COSMOS_ENDPOINT: z.url({ message: 'COSMOS_ENDPOINT must be the account URL, e.g. https://<account>.documents.azure.com:443/' }),
  COSMOS_KEY: optional,
  COSMOS_DATABASE: withDefault('orders'),
  AUTH_ISSUER: z.string().min(1, 'AUTH_ISSUER is required (the token issuer, e.g. https://login.microsoftonline.com/<tenant>/v2.0)'),
  AUTH_AUDIENCE: z.string().min(1, 'AUTH_AUDIENCE is required (the API application ID URI or client id)'),
  AUTH_JWKS_URI: z.url({ message: 'AUTH_JWKS_URI must be the issuer JWKS URL' }),
  AUTH_ADMIN_ROLE: withDefault('Orders.Admin'),
  AUTH_CUSTOMER_ID_CLAIM: withDefault('sub'),
  /** Comma-separated claims that carry the caller's verified email, first match wins: order emails go only there. */
  AUTH_EMAIL_CLAIMS: withDefault('email'),
  API_RATE_LIMIT_PER_SECOND: z.preprocess((v) => (v === '' || v === undefined ? '20' : v), z.coerce.number().min(0)),
  /** Per client address on the endpoints without a token (catalog, quotes, PayPal return; webhooks get 5x); 0 turns it off. */
  PUBLIC_RATE_LIMIT_PER_SECOND: z.preprocess((v) => (v === '' || v === undefined ? '10' : v), z.coerce.number().min(0)),
  IDEMPOTENCY_RETENTION_SECONDS: number(86400, 60),
  /** Where customers and PayPal reach this API (return URLs, links in emails). */
  PUBLIC_BASE_URL: z.url({ message: 'PUBLIC_BASE_URL must be the public URL of the app, e.g. https://<app>.azurewebsites.net' }),
  /** The order page the emails' "View order" links open, with an `{orderId}` placeholder (the storefront's); the API's order URL when empty. */
  STOREFRONT_ORDER_URL: urlTemplate('STOREFRONT_ORDER_URL', '{orderId}'),
  PAYMENT_APPROVAL_TIMEOUT_SECONDS: number(1800, 1),
  /** First wait before a failed refund or a held shipment is tried again on a durable timer; it doubles up to an hour. */
  SAGA_RETRY_DELAY_SECONDS: number(60, 1),
  /** How long a refund PayPal does not accept is retried automatically before it is left to an operator (3 days). */
  REFUND_RETRY_WINDOW_SECONDS: number(259_200, 0),
  /** How long a shipment held by a carrier credential failure is retried automatically (7 days); afterwards on an operator's RetryNow. */
  SHIPMENT_HOLD_RETRY_WINDOW_SECONDS: number(604_800, 0),
  PAYPAL_CLIENT_ID: z.string().min(1, 'PAYPAL_CLIENT_ID is required'),
  PAYPAL_CLIENT_SECRET: z.string().min(1, 'PAYPAL_CLIENT_SECRET is required (a Key Vault reference in Azure)'),
  PAYPAL_ENVIRONMENT: z.preprocess((v) => (v === '' || v === undefined ? 'sandbox' : v), z.enum(['sandbox', 'production'])),
  /** Only for the local simulator: replaces PayPal's origin. */
  PAYPAL_API_BASE_URL: optional,
  /** PayPal honours an authorization for 3 days; a capture after that reauthorizes first. */
  PAYPAL_HONOR_PERIOD_SECONDS: number(259_200, 1),
  PAYPAL_WEBHOOK_ID: z.string().min(1, 'PAYPAL_WEBHOOK_ID is required (from the PayPal app\'s webhook registration)'),
  /** Origins allowed for webhook signing certificates, besides PayPal's own (the local simulator's). */
  PAYPAL_CERT_ORIGINS: optional,
  /** How far a webhook's transmission time may be from now, either way; older or newer deliveries are refused. */
  PAYPAL_WEBHOOK_TOLERANCE_SECONDS: number(300, 1),
  CARRIER_API_BASE_URL: withDefault('https://express.api.dhl.com/mydhlapi'),
  /** The tracking page customers get, with a `{trackingNumber}` placeholder; DHL's public tracking page when empty. */
  CARRIER_TRACKING_URL: urlTemplate('CARRIER_TRACKING_URL', '{trackingNumber}'),
  CARRIER_API_KEY: z.string().min(1, 'CARRIER_API_KEY is required'),
  CARRIER_API_SECRET: z.string().min(1, 'CARRIER_API_SECRET is required (a Key Vault reference in Azure)'),
  CARRIER_ACCOUNT_NUMBER: z.string().min(1, 'CARRIER_ACCOUNT_NUMBER is required'),
  CARRIER_WEBHOOK_SECRET: z.string().min(16, 'CARRIER_WEBHOOK_SECRET is required (at least 16 characters)'),
  /** How far a carrier push's signed timestamp may be from now, either way. */
  CARRIER_WEBHOOK_TOLERANCE_SECONDS: number(300, 1),
  /** During a rotation, the secret being retired: pushes signed with either are accepted. */
  CARRIER_WEBHOOK_SECRET_PREVIOUS: z.preprocess((v) => (v === '' ? undefined : v), z.string().min(16, 'CARRIER_WEBHOOK_SECRET_PREVIOUS must be at least 16 characters when set').optional()),
  /** Local: a connection string; Azure: empty, with ACS_EMAIL_ENDPOINT and managed identity. */
  ACS_EMAIL_CONNECTION_STRING: optional,
  ACS_EMAIL_ENDPOINT: optional,
  EMAIL_SENDER_ADDRESS: z.email({ message: 'EMAIL_SENDER_ADDRESS must be an address on the ACS verified domain' }),
  /** Who gets the merchant's dispute alerts (opened, review, deadline, resolved); the seller's billing address when empty. */
  MERCHANT_ALERT_EMAIL: z.preprocess((v) => (v === '' ? undefined : v), z.email({ message: 'MERCHANT_ALERT_EMAIL must be an email address' }).optional()),
  /** How often an open dispute is read from PayPal again when no webhook came (6 hours): webhooks can be lost. */
  DISPUTE_RESYNC_SECONDS: number(21_600, 1),
  /** Local: Azurite's connection string; Azure: empty, with INVOICES_STORAGE_ACCOUNT_URL and managed identity. */
  INVOICES_STORAGE_CONNECTION: optional,
  INVOICES_STORAGE_ACCOUNT_URL: optional,
  /** Service Bus for publishing stage events: a connection string locally, the namespace host name with managed identity. */
  ServiceBusConnection: optional,
  ServiceBusConnection__fullyQualifiedNamespace: optional,
  /** Where the app sends its traces, logs and metrics: Bicep sets Application Insights', the embedded runtime its local ingestion endpoint; empty turns them off. */
  APPLICATIONINSIGHTS_CONNECTION_STRING: optional,
  /** `Authorization=AAD;ClientId=<identity>`: telemetry is sent with the managed identity, as local auth is disabled. */
  APPLICATIONINSIGHTS_AUTHENTICATION_STRING: optional,
});

export type Settings = z.infer<typeof settingsSchema>;
export const settingNames = Object.keys(settingsSchema.shape) as (keyof Settings)[];

let cached: Settings | undefined;

/** Reads lazily: hosts may set endpoints after loading the app but before the first request. */
export function settings(): Settings {
  if (cached) return cached;
  const parsed = settingsSchema.safeParse(process.env);
  if (!parsed.success) {
    throw new Error(`Invalid app settings: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  }
  return (cached = parsed.data);
}

/** Telemetry starts before anything else and must not fail on the other settings. */
export function telemetrySettings(): Pick<Settings, 'APPLICATIONINSIGHTS_CONNECTION_STRING' | 'APPLICATIONINSIGHTS_AUTHENTICATION_STRING'> {
  return settingsSchema.pick({ APPLICATIONINSIGHTS_CONNECTION_STRING: true, APPLICATIONINSIGHTS_AUTHENTICATION_STRING: true }).parse(process.env);
}

/**
 * App Service leaves a Key Vault reference it cannot resolve (secret missing or disabled, no
 * access) in the setting as its literal text. Such a value must never be used as a secret: the
 * text is no secret at all.
 */
export const isUnresolvedKeyVaultReference = (value: string): boolean => /^@Microsoft\.KeyVault\(/i.test(value.trim());

/** The secrets carrier pushes may be signed with: the current one and, during a rotation, the previous one. */
export function carrierWebhookSecrets(s: Pick<Settings, 'CARRIER_WEBHOOK_SECRET' | 'CARRIER_WEBHOOK_SECRET_PREVIOUS'>): string[] {
  return [s.CARRIER_WEBHOOK_SECRET, s.CARRIER_WEBHOOK_SECRET_PREVIOUS].filter((v): v is string => v !== undefined && v !== '' && !isUnresolvedKeyVaultReference(v));
}

/** A URL template with its placeholder replaced by the (encoded) value. */
export const fillUrlTemplate = (template: string, placeholder: string, value: string): string => template.split(placeholder).join(encodeURIComponent(value));
