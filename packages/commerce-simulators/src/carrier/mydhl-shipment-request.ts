// Validation of a MyDHL `POST /shipments` body, split as MyDHL splits it: a malformed or
// incomplete request is a 400 listing every problem; a well-formed request DHL cannot serve
// (unknown country, postal code in the wrong format for the country, product not offered on the
// route, undeliverable address) is a 422. Only the subset of the schema this project sends is
// modelled; unknown properties are accepted and ignored.
import { z } from 'zod';

const str = (max: number) => z.string().trim().min(1).max(max);

const postalAddress = z.object({
  postalCode: z.string().max(12),
  cityName: str(45),
  countryCode: z.string().regex(/^[A-Z]{2}$/, 'must be an ISO 3166-1 alpha-2 code'),
  provinceCode: z.string().max(35).optional(),
  addressLine1: str(45),
  addressLine2: z.string().max(45).optional(),
  addressLine3: z.string().max(45).optional(),
});

const contactInformation = z.object({
  email: z.email().max(70).optional(),
  phone: str(70),
  mobilePhone: z.string().max(70).optional(),
  companyName: str(100),
  fullName: str(255),
});

const party = z.object({ postalAddress, contactInformation });

const packageSchema = z.object({
  weight: z.number().min(0.001).max(999_999_999_999),
  dimensions: z.object({ length: z.number().min(1), width: z.number().min(1), height: z.number().min(1) }).optional(),
  customerReferences: z.array(z.object({ value: str(35), typeCode: z.string().max(3).optional() })).optional(),
  description: z.string().max(70).optional(),
});

export const shipmentRequestSchema = z.object({
  // MyDHL's own format: local date-time plus "GMT±hh:mm", with or without a space before GMT.
  plannedShippingDateAndTime: z.string().regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2} ?GMT[+-]\d{2}:\d{2}$/, 'must look like 2025-01-18T17:00:00 GMT+01:00'),
  pickup: z.object({ isRequested: z.boolean() }),
  productCode: z.string().regex(/^[A-Z0-9]$/, 'must be a one-character DHL global product code'),
  accounts: z.array(z.object({ typeCode: z.enum(['shipper', 'payer', 'duties-taxes']), number: z.string().regex(/^\d{9,12}$/) })).min(1),
  outputImageProperties: z.object({ encodingFormat: z.enum(['pdf']).optional() }).optional(),
  customerReferences: z.array(z.object({ value: str(35), typeCode: z.string().max(3).optional() })).max(10).optional(),
  customerDetails: z.object({ shipperDetails: party, receiverDetails: party }),
  content: z.object({
    packages: z.array(packageSchema).min(1).max(999),
    isCustomsDeclarable: z.boolean(),
    declaredValue: z.number().min(0).max(999_999_999_999).optional(),
    declaredValueCurrency: z.string().regex(/^[A-Z]{3}$/).optional(),
    description: str(70),
    incoterm: z.enum(['EXW', 'FCA', 'CPT', 'CFR', 'CIP', 'CIF', 'DAP', 'DAF', 'DAT', 'DPU', 'DDP', 'DDU', 'DEQ', 'DES', 'FAS', 'FOB']),
    unitOfMeasurement: z.enum(['metric', 'imperial']),
  }),
});

export type MyDhlShipmentRequest = z.infer<typeof shipmentRequestSchema>;

export type RequestCheck =
  | { ok: true; request: MyDhlShipmentRequest }
  | { ok: false; status: 400 | 422; title: string; detail: string; additionalDetails: string[] };

// ISO 3166-1 alpha-2, plus the two extra codes DHL uses (IC Canary Islands, XK Kosovo).
const countries = new Set(
  (
    'AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX ' +
    'CY CZ DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ ' +
    'IR IS IT JE JM JO JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ NA ' +
    'NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ ' +
    'TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW IC XK'
  ).split(' '),
);

export const euCountries = new Set('AT BE BG CY CZ DE DK EE ES FI FR GR HR HU IE IT LT LU LV MT NL PL PT RO SE SI SK'.split(' '));

// Postal code formats for the countries we ship to most; other countries accept any value.
const postalFormats: Record<string, RegExp> = {
  DE: /^\d{5}$/,
  FR: /^\d{5}$/,
  IT: /^\d{5}$/,
  ES: /^\d{5}$/,
  AT: /^\d{4}$/,
  CH: /^\d{4}$/,
  BE: /^\d{4}$/,
  DK: /^\d{4}$/,
  NL: /^\d{4} ?[A-Z]{2}$/i,
  PL: /^\d{2}-\d{3}$/,
  SE: /^\d{3} ?\d{2}$/,
  US: /^\d{5}(-\d{4})?$/,
  GB: /^[A-Z]{1,2}\d[A-Z\d]? ?\d[A-Z]{2}$/i,
};

/** Addresses DHL cannot deliver to (our simulator's magic value). */
const unserviceablePostalCode = '99999';

/** Where each global product code is offered: domestic only, international, or within the EU. */
const products: Record<string, 'domestic' | 'international' | 'eu'> = {
  N: 'domestic', // DOMESTIC EXPRESS
  '1': 'domestic', // DOMESTIC EXPRESS 12:00
  P: 'international', // EXPRESS WORLDWIDE (non-documents)
  D: 'international', // EXPRESS WORLDWIDE (documents)
  K: 'international', // EXPRESS 9:00
  Y: 'international', // EXPRESS 12:00 (non-documents)
  H: 'international', // ECONOMY SELECT (non-EU)
  U: 'eu', // EXPRESS WORLDWIDE (EU)
  W: 'eu', // ECONOMY SELECT (EU)
};

function describeIssue(issue: z.core.$ZodIssue): string {
  const path = '#/' + issue.path.map(String).join('/');
  const missing = issue.code === 'invalid_type' && /received undefined/.test(issue.message);
  return missing ? `${path}: required property is missing` : `${path}: ${issue.message}`;
}

function checkAddress(role: 'shipper' | 'receiver', a: MyDhlShipmentRequest['customerDetails']['shipperDetails']['postalAddress']): string[] {
  const problems: string[] = [];
  if (!countries.has(a.countryCode)) problems.push(`${role} countryCode ${a.countryCode} is not a country DHL Express serves`);
  const format = postalFormats[a.countryCode];
  if (format && !format.test(a.postalCode.trim())) problems.push(`${role} postalCode "${a.postalCode}" is not a valid postal code for ${a.countryCode}`);
  return problems;
}

export function checkShipmentRequest(body: unknown): RequestCheck {
  const parsed = shipmentRequestSchema.safeParse(body);
  if (!parsed.success) {
    return { ok: false, status: 400, title: 'Validation error', detail: 'Multiple problems found, see Additional Details', additionalDetails: parsed.error.issues.map(describeIssue) };
  }
  const r = parsed.data;
  const { shipperDetails, receiverDetails } = r.customerDetails;
  const addressProblems = [...checkAddress('shipper', shipperDetails.postalAddress), ...checkAddress('receiver', receiverDetails.postalAddress)];
  if (addressProblems.length > 0) return { ok: false, status: 422, title: 'Address validation failed', detail: addressProblems.join('; '), additionalDetails: addressProblems };
  if (receiverDetails.postalAddress.postalCode.trim() === unserviceablePostalCode) {
    const detail = `address not serviceable: DHL Express does not deliver to postal code ${unserviceablePostalCode} in ${receiverDetails.postalAddress.countryCode}`;
    return { ok: false, status: 422, title: 'Address not serviceable', detail, additionalDetails: [detail] };
  }
  const from = shipperDetails.postalAddress.countryCode;
  const to = receiverDetails.postalAddress.countryCode;
  const route = from === to ? 'domestic' : euCountries.has(from) && euCountries.has(to) ? 'eu' : 'international';
  const offered = products[r.productCode];
  const available = offered !== undefined && (offered === route || (offered === 'international' && route === 'eu'));
  if (!available) {
    const detail = `The requested product (${r.productCode}) is not available from ${from} to ${to}`;
    return { ok: false, status: 422, title: 'Product not available', detail, additionalDetails: [detail] };
  }
  if (r.content.declaredValue !== undefined && r.content.declaredValueCurrency === undefined) {
    return { ok: false, status: 400, title: 'Validation error', detail: 'Multiple problems found, see Additional Details', additionalDetails: ['#/content/declaredValueCurrency: required when declaredValue is given'] };
  }
  return { ok: true, request: r };
}
