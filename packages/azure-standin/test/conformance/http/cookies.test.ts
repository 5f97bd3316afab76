// Set-Cookie as Azure writes it: without streaming the host writes each cookie through ASP.NET
// Core (Response.Cookies.Append with the CookieOptions built in
// GrpcMessageExtensionUtilities.RpcHttpCookieConverter, formatted by SetCookieHeaderValue); with
// streaming the library writes them itself with the `cookie` package (httpProxy.ts setCookies).
// The cookies function returns a Set-Cookie header and these cookies:
//   plain=v | full: value "a b;c,d=é", domain, path /p, expires 2030-01-02T03:04:05Z, maxAge 3.9,
//   secure, httpOnly, sameSite Strict | lax: sameSite Lax | none: sameSite None, secure | gone: "", maxAge 0
import { HostProcess, startHost } from '../../support/host';
import { apps, request } from './support';

let buffered: HostProcess;
let streaming: HostProcess;
beforeAll(async () => {
  [buffered, streaming] = await Promise.all([startHost({ appRoot: apps.buffered }), startHost({ appRoot: apps.streaming })]);
});
afterAll(() => Promise.all([buffered.stop(), streaming.stop()]));

const setCookies = (rawHeaders: string[]) => rawHeaders.filter((_, i) => i % 2 === 1 && rawHeaders[i - 1].toLowerCase() === 'set-cookie');

test('without streaming: ASP.NET Core\'s shape, path=/ by default, value escaped, one header each after the function\'s own', async () => {
  const r = await request(`${buffered.api}/cookies`);
  expect(r.status).toBe(200);
  expect(setCookies(r.rawHeaders)).toEqual([
    // RawScriptResult sets the function's headers first, then appends the cookies.
    'direct=1',
    // CookieOptions.Path defaults to "/".
    'plain=v; path=/',
    // Lower-case attributes in SetCookieHeaderValue's order; Uri.EscapeDataString on the value;
    // max-age is (long)TimeSpan.TotalSeconds, so 3.9 is 3.
    'full=a%20b%3Bc%2Cd%3D%C3%A9; expires=Wed, 02 Jan 2030 03:04:05 GMT; max-age=3; domain=example.com; path=/p; secure; samesite=strict; httponly',
    'lax=1; path=/; samesite=lax',
    // The library sends sameSite 'None' as ExplicitNone, which ASP.NET writes.
    'none=1; path=/; secure; samesite=none',
    'gone=; max-age=0; path=/',
  ]);
});

test('with streaming: the cookie package\'s shape, no default path, and the cookies replace the function\'s own Set-Cookie header', async () => {
  const r = await request(`${streaming.api}/cookies`);
  expect(r.status).toBe(200);
  expect(setCookies(r.rawHeaders)).toEqual([
    'plain=v',
    // cookie.serialize: Math.floor(maxAge), its own attribute order and spelling.
    'full=a%20b%3Bc%2Cd%3D%C3%A9; Max-Age=3; Domain=example.com; Path=/p; Expires=Wed, 02 Jan 2030 03:04:05 GMT; HttpOnly; Secure; SameSite=Strict',
    'lax=1; SameSite=Lax',
    'none=1; Secure; SameSite=None',
    'gone=; Max-Age=0',
  ]);
});
