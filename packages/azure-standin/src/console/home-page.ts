// The console's home: what runs (the app, its functions by trigger kind, its HTTP routes, the
// local services beside it) and where to go next, including the pages the app linked.
import type { ConsoleLink } from '../app-config';
import type { FunctionIndex } from '../host/function-index';
import { describeFunctionCounts, functionCounts } from '../host/function-summary';
import { builtInNav, html, Html } from './html';

export interface HomeFacts {
  appName: string;
  appRoot: string;
  baseUrl: string;
  routePrefix: string;
  index: FunctionIndex;
  services: { name: string; where: string }[];
  serviceBus: string;
  links: ConsoleLink[];
  instances: Record<string, number>;
}

export function homePage(f: HomeFacts): Html {
  const counts = functionCounts(f.index);
  const routes = f.index.http.map((h) => {
    const path = `${f.routePrefix}/${h.route.template}`;
    // Only a GET route without parameters is worth a click; the others are shown as templates.
    const linkable = h.methods.has('GET') && !path.includes('{');
    return html`<tr><td>${h.fn.metadata.name}</td><td>${[...h.methods].join(', ')}</td>
<td>${linkable ? html`<a href="${path}"><code>${path}</code></a>` : html`<code>${path}</code>`}</td><td>${h.authLevel}</td></tr>`;
  });
  const kinds: [string, number][] = [
    ['HTTP', counts.http], ['Orchestrations', counts.orchestrations], ['Activities', counts.activities], ['Entities', counts.entities],
    ['Service Bus triggers', counts.serviceBus], ['Timers', counts.timers], ['Blob triggers', counts.blobs],
  ];
  const pages = [...builtInNav.slice(1), ...f.links].map((l) => html`<li><a href="${l.href}">${l.title}</a>${l.description ? html` — ${l.description}` : ''}</li>`);
  const statuses = Object.entries(f.instances).map(([s, n]) => html`<a href="/console/instances?status=${encodeURIComponent(s)}">${s} ${n}</a>`);
  return html`<p><strong>${f.appName}</strong> <span class="muted">(${f.appRoot})</span> on <code>${f.baseUrl}</code></p>
<h2>Pages</h2><ul>${pages}</ul>
<h2>Functions</h2><p>${describeFunctionCounts(counts)}</p>
<table><thead><tr>${kinds.map(([k]) => html`<th>${k}</th>`)}</tr></thead><tbody><tr>${kinds.map(([, n]) => html`<td class="num">${n}</td>`)}</tr></tbody></table>
<p>Durable instances: ${statuses.length ? statuses.map((s, i) => html`${i ? ' · ' : ''}${s}`) : html`<span class="muted">none yet</span>`}</p>
<h2>HTTP routes</h2><table><thead><tr><th>Function</th><th>Methods</th><th>Route</th><th>Auth level</th></tr></thead>
<tbody>${routes.length ? routes : html`<tr><td colspan="4" class="muted">No HTTP functions.</td></tr>`}</tbody></table>
<h2>Local services</h2><table><thead><tr><th>Service</th><th>Where</th></tr></thead><tbody>
<tr><td>Service Bus (AMQP)</td><td><code>${f.serviceBus.replace(/SharedAccessKey=[^;]*/, 'SharedAccessKey=…')}</code></td></tr>
${f.services.map((s) => html`<tr><td>${s.name}</td><td><code>${s.where}</code></td></tr>`)}</tbody></table>`;
}
