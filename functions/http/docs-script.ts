// The API docs page's script: Swagger UI reading the app's own OpenAPI document. A file of its
// own rather than inline, so the page runs under a Content-Security-Policy without 'unsafe-inline'.
export const docsScript = `window.ui = SwaggerUIBundle({
  url: 'openapi.json',
  dom_id: '#swagger-ui',
  presets: [SwaggerUIBundle.presets.apis],
  layout: 'BaseLayout',
  deepLinking: true,
  displayRequestDuration: true,
  // The default sends the document's URL to validator.swagger.io and shows its badge.
  validatorUrl: null,
  // A token pasted into "Authorize" lives only as long as the tab.
  persistAuthorization: false,
});
`;
