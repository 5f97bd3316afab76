// azure-standin's public surface: the configuration an app gives it, the local services it can
// mount, and helpers an app's own local services and tests use. The command line is `azure-standin`.
export type { ConsoleLink, LocalService, StandinConfig, StandinContext, StandinLogger } from './app-config';
// For an app's own console pages: the console's layout and escaping.
export { consolePage, escapeHtml, html, Html } from './console/html';
export { localAudience, localIssuer, mintToken } from './identity/local-issuer';
export type { MintOptions } from './identity/local-issuer';
export { readHostJson, timeSpanMs } from './core/settings';
export type { HostJson } from './core/settings';
export { compareVersions } from './durable/versioning';
export { selfSignedCertificate } from './tls/self-signed-cert';
// The ACS Email emulator on its own, for an app's adapter tests against a server of their own.
export { AcsEmailSimulator } from './acs-email/acs-email-simulator';
export type { AcsEmailSimulatorOptions } from './acs-email/acs-email-simulator';
export type { EmailItem } from './acs-email/dev-views';
