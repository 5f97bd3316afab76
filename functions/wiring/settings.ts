// Every app setting the code reads, validated once on first use. Azure provides them as app
// settings (bicep/), `func start` from local.settings.json, the embedded runtime fills the
// service endpoints it hosts. A test checks this list against Bicep and the sample settings.
import { z } from 'zod';

const optional = z.preprocess((v) => (v === '' ? undefined : v), z.string().optional());
const withDefault = (value: string) => z.preprocess((v) => (v === '' || v === undefined ? value : v), z.string().min(1));

export const settingsSchema = z.object({
  COSMOS_ENDPOINT: z.url({ message: 'COSMOS_ENDPOINT must be the account URL, e.g. https://<account>.documents.azure.com:443/' }),
  COSMOS_KEY: optional,
  COSMOS_DATABASE: withDefault('orders'),
  AUTH_ISSUER: z.string().min(1, 'AUTH_ISSUER is required (the token issuer, e.g. https://login.microsoftonline.com/<tenant>/v2.0)'),
  AUTH_AUDIENCE: z.string().min(1, 'AUTH_AUDIENCE is required (the API application ID URI or client id)'),
  AUTH_JWKS_URI: z.url({ message: 'AUTH_JWKS_URI must be the issuer JWKS URL' }),
  AUTH_ADMIN_ROLE: withDefault('Orders.Admin'),
  AUTH_CUSTOMER_ID_CLAIM: withDefault('sub'),
  API_RATE_LIMIT_PER_SECOND: z.preprocess((v) => (v === '' || v === undefined ? '20' : v), z.coerce.number().min(0)),
  IDEMPOTENCY_RETENTION_SECONDS: z.preprocess((v) => (v === '' || v === undefined ? '86400' : v), z.coerce.number().int().min(60)),
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
