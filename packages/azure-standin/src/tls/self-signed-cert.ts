// A minimal self-signed X.509 v3 certificate (RSA, sha256WithRSAEncryption) built with
// node:crypto and a tiny DER encoder: webhook receivers verify with it exactly as they do against
// PayPal (download a PEM certificate, take its public key), and local HTTPS endpoints serve it
// with their loopback names as subject alternative names.
import { isIP } from 'node:net';
import { createSign, randomBytes } from 'node:crypto';
import type { KeyObject } from 'node:crypto';

const SHA256_WITH_RSA = '1.2.840.113549.1.1.11';
const COMMON_NAME = '2.5.4.3';
const SUBJECT_ALT_NAME = '2.5.29.17';

export function selfSignedCertificate(opts: { privateKey: KeyObject; publicKey: KeyObject; commonName: string; notBefore: Date; notAfter: Date; altNames?: string[] }): string {
  const algorithm = seq(oid(SHA256_WITH_RSA), Buffer.from([0x05, 0x00]));
  const name = seq(set(seq(oid(COMMON_NAME), tlv(0x0c, Buffer.from(opts.commonName, 'utf8')))));
  const tbs = seq(
    tlv(0xa0, integer(Buffer.from([2]))), // [0] version v3
    integer(certificateSerial(randomBytes(12))),
    algorithm,
    name,
    seq(utcTime(opts.notBefore), utcTime(opts.notAfter)),
    name,
    opts.publicKey.export({ type: 'spki', format: 'der' }),
    ...(opts.altNames?.length ? [tlv(0xa3, seq(subjectAltName(opts.altNames)))] : []), // [3] extensions
  );
  const signature = createSign('RSA-SHA256').update(tbs).sign(opts.privateKey);
  const der = seq(tbs, algorithm, tlv(0x03, Buffer.concat([Buffer.from([0]), signature])));
  const lines = der.toString('base64').match(/.{1,64}/g) ?? [];
  return `-----BEGIN CERTIFICATE-----\n${lines.join('\n')}\n-----END CERTIFICATE-----\n`;
}

/** DNS names as dNSName [2], IPv4 addresses as iPAddress [7]: TLS clients match hosts against these. */
function subjectAltName(names: string[]): Buffer {
  const general = names.map((n) =>
    isIP(n) === 4 ? tlv(0x87, Buffer.from(n.split('.').map(Number))) : tlv(0x82, Buffer.from(n, 'ascii')));
  return seq(oid(SUBJECT_ALT_NAME), tlv(0x04, seq(...general)));
}

function tlv(tag: number, content: Buffer): Buffer {
  const n = content.length;
  let length: Buffer;
  if (n < 0x80) length = Buffer.from([n]);
  else {
    const bytes: number[] = [];
    for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v & 0xff);
    length = Buffer.from([0x80 | bytes.length, ...bytes]);
  }
  return Buffer.concat([Buffer.from([tag]), length, content]);
}

const seq = (...parts: Buffer[]) => tlv(0x30, Buffer.concat(parts));
const set = (...parts: Buffer[]) => tlv(0x31, Buffer.concat(parts));
const integer = (bytes: Buffer) => tlv(0x02, bytes);

/**
 * A serial number from random bytes as DER wants it: positive (high bit clear) and minimal (no
 * leading zero byte). A first byte of 0 would be "illegal padding" whenever the next one is below
 * 0x80, which made one start in a few hundred fail.
 */
export function certificateSerial(random: Buffer): Buffer {
  const serial = Buffer.from(random);
  serial[0] = 1 + (serial[0] % 0x7f);
  return serial;
}

function oid(dotted: string): Buffer {
  const [a, b, ...rest] = dotted.split('.').map(Number);
  const bytes = [40 * a + b];
  for (const value of rest) {
    const chunk = [value & 0x7f];
    for (let v = Math.floor(value / 128); v > 0; v = Math.floor(v / 128)) chunk.unshift((v & 0x7f) | 0x80);
    bytes.push(...chunk);
  }
  return tlv(0x06, Buffer.from(bytes));
}

/** UTCTime YYMMDDHHMMSSZ (valid for years 1950–2049, as X.509 requires for UTCTime). */
function utcTime(date: Date): Buffer {
  const iso = date.toISOString();
  const text = iso.slice(2, 4) + iso.slice(5, 7) + iso.slice(8, 10) + iso.slice(11, 13) + iso.slice(14, 16) + iso.slice(17, 19) + 'Z';
  return tlv(0x17, Buffer.from(text, 'ascii'));
}
