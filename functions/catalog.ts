// Public catalog and price quotes: no authentication, no state.
import { app, HttpRequest, HttpResponseInit } from '@azure/functions';
import { catalog, pricingRules } from '../adapters/catalog/store-config';
import { priceCart } from '../domain/pricing';
import { cartInvalid, presentProduct, presentQuote } from './http/presenters';
import { jsonResponse, problemResponse } from './http/problem';
import { readJson } from './http/read-json';
import { quoteRequestSchema } from './http/schemas';

app.http('listProducts', {
  route: 'v1/products',
  methods: ['GET'],
  authLevel: 'anonymous',
  handler: async (req: HttpRequest): Promise<HttpResponseInit> =>
    jsonResponse(req, 200, { items: [...catalog.values()].map(presentProduct) }, { 'cache-control': 'public, max-age=60' }),
});

app.http('createQuote', {
  route: 'v1/quotes',
  methods: ['POST'],
  authLevel: 'anonymous',
  handler: async (req: HttpRequest): Promise<HttpResponseInit> => {
    const body = await readJson(req, quoteRequestSchema);
    if (!body.ok) return problemResponse(req, body.problem);
    const q = body.value;
    const result = priceCart(
      { lines: q.items, country: q.shippingAddress.country, shippingMethod: q.shippingMethod, discountCode: q.discountCode },
      catalog,
      pricingRules,
    );
    if (!result.ok) return problemResponse(req, cartInvalid(result.problems));
    return jsonResponse(req, 200, presentQuote(result.quote));
  },
});
