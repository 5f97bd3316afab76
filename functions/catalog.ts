// Public catalog and price quotes: no authentication, no state; rate limited per client address.
import { app, HttpRequest, HttpResponseInit } from '@azure/functions';
import { catalog, pricingRules } from '../adapters/catalog/store-config';
import { priceCart } from '../domain/pricing';
import { cartInvalid, presentProduct, presentQuote } from './http/presenters';
import { endpoint } from './http/endpoint';
import { jsonResponse, problemResponse } from './http/problem';
import { limitPublic } from './http/public-guard';
import { readJson } from './http/read-json';
import { quoteRequestSchema } from './http/schemas';

app.http('listProducts', {
  route: 'v1/products',
  methods: ['GET'],
  authLevel: 'anonymous',
  handler: endpoint(async (req: HttpRequest): Promise<HttpResponseInit> =>
    limitPublic(req, 'api') ?? jsonResponse(req, 200, { items: [...catalog.values()].map(presentProduct) }, { 'cache-control': 'public, max-age=60' })),
});

app.http('createQuote', {
  route: 'v1/quotes',
  methods: ['POST'],
  authLevel: 'anonymous',
  handler: endpoint(async (req: HttpRequest): Promise<HttpResponseInit> => {
    const limited = limitPublic(req, 'api');
    if (limited) return limited;
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
  }),
});
