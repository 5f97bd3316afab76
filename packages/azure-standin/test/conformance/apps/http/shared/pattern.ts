// The bytes of every generated body: byte i is i % 251, so either side can check the other's.
export const patternPeriod = 251;
const source = Buffer.from(Array.from({ length: 64 * 1024 + patternPeriod }, (_, i) => i % patternPeriod));

/** `length` bytes of the pattern starting at body offset `offset` (length at most 64 KiB). */
export function patternChunk(offset: number, length: number): Buffer {
  return Buffer.from(source.subarray(offset % patternPeriod, (offset % patternPeriod) + length));
}
