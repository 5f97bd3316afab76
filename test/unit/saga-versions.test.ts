// The order saga's versions (functions/wiring/saga-versions.ts) compare as the Durable extension
// compares orchestration versions, so "has the behaviour of version X" is "at or after X".
import { compareVersions } from 'azure-standin';
import { sagaHas, sagaVersions } from '../../functions/wiring/saga-versions';

test('the saga tells its versions apart and refuses one it does not know', () => {
  expect(sagaVersions[0]).toBe('');
  expect(sagaHas(undefined, '2.0')).toBe(false);
  expect(sagaHas('', '2.0')).toBe(false);
  expect(sagaHas('2.0', '2.0')).toBe(true);
  expect(sagaHas('2.0', '')).toBe(true);
  expect(() => sagaHas('9.9', '2.0')).toThrow("Unknown order saga version '9.9'");
  // Listed oldest first, so that "has the feature of version X" is "comes at or after X".
  for (let i = 1; i < sagaVersions.length; i++) expect(compareVersions(sagaVersions[i - 1], sagaVersions[i])).toBeLessThan(0);
});
