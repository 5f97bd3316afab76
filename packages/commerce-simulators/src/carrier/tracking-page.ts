// The customer's side of tracking: a small HTML page standing in for DHL's public tracking site,
// which the shipped email links to when the app runs locally. It shows only what has happened.

export interface TrackingPageInput {
  trackingNumber: string;
  /** "Berlin, DE": where the parcel goes, when known. */
  destination?: string;
  /** Emitted scans, oldest first. */
  events: { at: string; description: string; status: string }[];
}

export function trackingPageHtml(p: TrackingPageInput): string {
  const known = p.events.length > 0 || p.destination !== undefined;
  const latest = p.events.at(-1);
  const rows = p.events
    .slice()
    .reverse()
    .map((e) => `<li><time datetime="${esc(e.at)}">${esc(e.at.replace('T', ' ').replace(/\.\d+Z$|Z$/, ' UTC'))}</time> <strong>${esc(e.description)}</strong> <span class="status">${esc(e.status)}</span></li>`)
    .join('\n');
  const body = !known
    ? `<p>No shipment with tracking number <code>${esc(p.trackingNumber)}</code>.</p>`
    : `<p>Shipment <code>${esc(p.trackingNumber)}</code>${p.destination ? ` to ${esc(p.destination)}` : ''}: <strong id="status">${esc(latest?.status ?? 'label created')}</strong></p>
${rows ? `<ol class="events">\n${rows}\n</ol>` : '<p>The parcel has not been picked up yet.</p>'}`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Track ${esc(p.trackingNumber)} – DHL Express (simulator)</title>
<style>body{font-family:system-ui,sans-serif;max-width:40rem;margin:2rem auto;padding:0 1rem}h1{color:#d40511}ol{list-style:none;padding:0}li{border-left:3px solid #fc0;padding:.3rem .8rem;margin:.4rem 0}time{color:#555;display:block;font-size:.9em}.status{color:#555;font-size:.85em}</style></head>
<body><h1>DHL Express tracking (simulator)</h1>
${body}
</body></html>
`;
}

/** The receiver's city and country from a MyDHL shipment request, if it names them. */
export function destinationOf(request: unknown): string | undefined {
  const address = (request as { customerDetails?: { receiverDetails?: { postalAddress?: { cityName?: unknown; countryCode?: unknown } } } } | null)?.customerDetails?.receiverDetails?.postalAddress;
  const parts = [address?.cityName, address?.countryCode].filter((v): v is string => typeof v === 'string' && v !== '');
  return parts.length > 0 ? parts.join(', ') : undefined;
}

function esc(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
