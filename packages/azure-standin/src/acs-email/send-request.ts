// Validates the body of `POST /emails:send` the way the service does before accepting it: a
// sender on a verified (linked) domain, 1–50 well-formed recipients, a subject and some content.
// Failures become the service's 400 error codes.
import type { Recipient } from './email-store';

export interface SendRequest {
  senderAddress: string;
  subject: string;
  text: string;
  html: string;
  to: Recipient[];
  cc: Recipient[];
  bcc: Recipient[];
}

export interface ValidationError {
  code: string;
  message: string;
}

const maxRecipients = 50;
/** Deliberately loose, like the service: local@domain.tld without spaces. */
const addressPattern = /^[^\s@<>]+@[^\s@<>]+\.[^\s@<>]+$/;

export function parseSendRequest(body: unknown, senderDomains: readonly string[]): SendRequest | ValidationError {
  if (typeof body !== 'object' || body === null) return { code: 'InvalidRequest', message: 'The request body must be a JSON object.' };
  const b = body as Record<string, unknown>;

  const sender = typeof b.senderAddress === 'string' ? b.senderAddress.trim() : '';
  if (!addressPattern.test(sender)) return { code: 'InvalidSenderAddress', message: `The sender address "${sender}" is not a valid email address.` };
  const domain = sender.slice(sender.lastIndexOf('@') + 1).toLowerCase();
  if (!senderDomains.some((d) => d.toLowerCase() === domain)) {
    return { code: 'DomainNotLinked', message: `The specified sender domain "${domain}" has not been linked to this resource.` };
  }

  const content = (typeof b.content === 'object' && b.content !== null ? b.content : {}) as Record<string, unknown>;
  const subject = typeof content.subject === 'string' ? content.subject : '';
  if (subject.trim() === '') return { code: 'EmptySubject', message: 'The email subject is required.' };
  const text = typeof content.plainText === 'string' ? content.plainText : '';
  const html = typeof content.html === 'string' ? content.html : '';
  if (text === '' && html === '') return { code: 'EmptyContent', message: 'Either content.plainText or content.html is required.' };

  const recipients = (typeof b.recipients === 'object' && b.recipients !== null ? b.recipients : {}) as Record<string, unknown>;
  const lists: Record<'to' | 'cc' | 'bcc', Recipient[]> = { to: [], cc: [], bcc: [] };
  for (const kind of ['to', 'cc', 'bcc'] as const) {
    const raw = recipients[kind] ?? [];
    if (!Array.isArray(raw)) return { code: 'InvalidRecipients', message: `recipients.${kind} must be an array.` };
    for (const r of raw as unknown[]) {
      const address = typeof (r as Recipient | null)?.address === 'string' ? (r as Recipient).address.trim() : '';
      if (!addressPattern.test(address)) return { code: 'InvalidRecipientAddress', message: `The recipient address "${address}" is not a valid email address.` };
      const displayName = (r as Recipient).displayName;
      lists[kind].push(typeof displayName === 'string' ? { address, displayName } : { address });
    }
  }
  const count = lists.to.length + lists.cc.length + lists.bcc.length;
  if (count === 0) return { code: 'EmptyRecipients', message: 'At least one recipient is required.' };
  if (count > maxRecipients) return { code: 'TooManyRecipients', message: `At most ${maxRecipients} recipients are allowed, got ${count}.` };

  return { senderAddress: sender, subject, text, html, ...lists };
}

export function isValidationError(v: SendRequest | ValidationError): v is ValidationError {
  return 'code' in v;
}
