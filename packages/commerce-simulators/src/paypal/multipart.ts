// multipart/form-data for the Disputes API (provide-evidence's JSON part `input` plus repeatable
// `evidence-file` parts), parsed by Node's own fetch implementation (undici's Request.formData)
// instead of a dependency, and PayPal's evidence file rules: .pdf .jpg .jpeg .png .gif by name
// and by content, each under 10 MB, at most 50 MB per call.
import { invalidRequest, PayPalApiError, unprocessable } from './paypal-errors';

export const MAX_FILE_BYTES = 10 * 1024 * 1024;
export const MAX_FILES_TOTAL_BYTES = 50 * 1024 * 1024;
/** What the router buffers before refusing (413): room for 50 MB of files plus the parts' headers and JSON. */
export const MAX_MULTIPART_BODY_BYTES = 60 * 1024 * 1024;

export interface FormFile {
  field: string;
  name: string;
  bytes: Uint8Array;
}

export interface ParsedForm {
  fields: Map<string, string>;
  files: FormFile[];
}

export function isMultipart(contentType: string | undefined): boolean {
  return /^multipart\/form-data\s*;/i.test(contentType ?? '');
}

/** Parses a buffered multipart body; a part without a filename is a field (its text). */
export async function parseMultipart(contentType: string, body: Buffer): Promise<ParsedForm> {
  let form: FormData;
  try {
    form = await new Request('http://simulator.local/', { method: 'POST', headers: { 'content-type': contentType }, body }).formData();
  } catch {
    throw invalidRequest({ issue: 'MALFORMED_REQUEST', description: 'The multipart/form-data body could not be parsed.' }, 'disputes');
  }
  const fields = new Map<string, string>();
  const files: FormFile[] = [];
  for (const [field, value] of form.entries()) {
    if (typeof value === 'string') fields.set(field, value);
    // A JSON part sent as a Blob without a filename arrives as a File named "blob": still a field.
    else if (field === 'input' && (value.type.startsWith('application/json') || value.name === 'blob' || value.name === '')) fields.set(field, await value.text());
    else files.push({ field, name: value.name, bytes: new Uint8Array(await value.arrayBuffer()) });
  }
  return { fields, files };
}

type FileKind = 'pdf' | 'jpeg' | 'png' | 'gif';
const EXTENSIONS: Record<string, FileKind> = { pdf: 'pdf', jpg: 'jpeg', jpeg: 'jpeg', png: 'png', gif: 'gif' };

/** The file's real type from its first bytes (the name alone proves nothing). */
export function sniff(bytes: Uint8Array): FileKind | undefined {
  const starts = (...sig: number[]): boolean => sig.every((b, i) => bytes[i] === b);
  if (starts(0x25, 0x50, 0x44, 0x46, 0x2d)) return 'pdf'; // %PDF-
  if (starts(0xff, 0xd8, 0xff)) return 'jpeg';
  if (starts(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a)) return 'png';
  if (starts(0x47, 0x49, 0x46, 0x38) && (bytes[4] === 0x37 || bytes[4] === 0x39) && bytes[5] === 0x61) return 'gif'; // GIF87a / GIF89a
  return undefined;
}

/**
 * PayPal's evidence file rules. Issues (the simulator's names, see docs): 422 INVALID_EVIDENCE_FILE
 * (type not allowed by name or content, or empty), 422 FILE_SIZE_EXCEEDED (a file of 10 MB or
 * more), 413 TOTAL_FILE_SIZE_EXCEEDED (more than 50 MB in one call).
 */
export function checkEvidenceFiles(files: readonly FormFile[]): void {
  let total = 0;
  for (const f of files) {
    total += f.bytes.length;
    const ext = /\.([A-Za-z0-9]+)$/.exec(f.name)?.[1]?.toLowerCase();
    const byName = ext === undefined ? undefined : EXTENSIONS[ext];
    if (!byName) {
      throw unprocessable('INVALID_EVIDENCE_FILE', `The file '${f.name}' is not supported: upload .pdf, .jpg, .jpeg, .png or .gif files.`, 'disputes', { field: f.field, value: f.name, location: 'body' });
    }
    if (f.bytes.length === 0 || sniff(f.bytes) !== byName) {
      throw unprocessable('INVALID_EVIDENCE_FILE', `The content of '${f.name}' is not a ${byName.toUpperCase()} file.`, 'disputes', { field: f.field, value: f.name, location: 'body' });
    }
    if (f.bytes.length >= MAX_FILE_BYTES) {
      throw unprocessable('FILE_SIZE_EXCEEDED', `The file '${f.name}' is ${f.bytes.length} bytes; each file must be smaller than 10 MB.`, 'disputes', { field: f.field, value: f.name, location: 'body' });
    }
  }
  if (total > MAX_FILES_TOTAL_BYTES) throw totalTooLarge();
}

export function totalTooLarge(): PayPalApiError {
  return new PayPalApiError(413, 'PAYLOAD_TOO_LARGE', 'The request payload is too large.', [
    { location: 'body', issue: 'TOTAL_FILE_SIZE_EXCEEDED', description: 'The files of one call may total at most 50 MB.' },
  ], 'disputes');
}
