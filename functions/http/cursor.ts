// Opaque list cursors: the position (createdAt, id) of the last order on a page, bound to the
// filter it was issued for, so a cursor reused with another filter is refused, not misread.
import { z } from 'zod';
import type { OrderCursor } from '../../application/ports';

const payload = z.strictObject({ at: z.string().max(40), id: z.string().max(64), f: z.string().max(200) });

export function encodeCursor(c: OrderCursor, filter: string): string {
  return Buffer.from(JSON.stringify({ at: c.createdAt, id: c.id, f: filter })).toString('base64url');
}

export function decodeCursor(text: string, filter: string): OrderCursor | 'invalid' | 'wrong-filter' {
  let parsed: z.infer<typeof payload>;
  try {
    parsed = payload.parse(JSON.parse(Buffer.from(text, 'base64url').toString('utf8')));
  } catch {
    return 'invalid';
  }
  if (parsed.f !== filter) return 'wrong-filter';
  return { createdAt: parsed.at, id: parsed.id };
}
