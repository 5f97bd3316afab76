// HTTP entity tags over the store's opaque version strings (RFC 9110 §8.8.3, §13.1.1-2).
export function httpEtag(version: string): string {
  return version.startsWith('"') ? version : `"${version}"`;
}

function tags(header: string): string[] {
  return header.split(',').map((t) => t.trim().replace(/^W\//, '')).filter(Boolean);
}

/** If-Match: strong comparison; `*` matches any existing version. */
export function ifMatchPasses(header: string, version: string): boolean {
  const list = tags(header);
  return list.includes('*') || list.includes(httpEtag(version));
}

/** If-None-Match: weak comparison; true when the client's copy is current (answer 304). */
export function ifNoneMatchHits(header: string, version: string): boolean {
  const list = tags(header);
  return list.includes('*') || list.includes(httpEtag(version));
}
