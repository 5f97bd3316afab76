// Which request body limit the embedded host applies: Azure's app setting, then the runtime's
// host.json key, then Azure's default.
import { defaultRequestBodyLimit, functionBodyLimit } from '../../src/host/body-limit';

test('FUNCTIONS_REQUEST_BODY_SIZE_LIMIT wins over host.json, which wins over the 100 MB default', () => {
  expect(functionBodyLimit({ FUNCTIONS_REQUEST_BODY_SIZE_LIMIT: '262144' }, 1000)).toEqual({ bytes: 262144, source: 'FUNCTIONS_REQUEST_BODY_SIZE_LIMIT' });
  expect(functionBodyLimit({}, 1000)).toEqual({ bytes: 1000, source: 'host.json extensions.http.maxRequestBodySize' });
  expect(functionBodyLimit({}, undefined)).toEqual({ bytes: 104_857_600, source: 'default' });
  expect(defaultRequestBodyLimit).toBe(104_857_600);
});

test('an unusable app setting is ignored with a warning, as the host ignores what long.TryParse rejects', () => {
  for (const text of ['lots', '-5', '1.5', '1e6']) {
    const l = functionBodyLimit({ FUNCTIONS_REQUEST_BODY_SIZE_LIMIT: text }, undefined);
    expect(l).toMatchObject({ bytes: 104_857_600, source: 'default' });
    expect(l.warning).toContain(text);
  }
  // Empty means unset, without a warning; surrounding spaces are accepted.
  expect(functionBodyLimit({ FUNCTIONS_REQUEST_BODY_SIZE_LIMIT: '' }, undefined)).toEqual({ bytes: 104_857_600, source: 'default' });
  expect(functionBodyLimit({ FUNCTIONS_REQUEST_BODY_SIZE_LIMIT: ' 4096 ' }, undefined).bytes).toBe(4096);
});
