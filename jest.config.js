// Tests run on the compiled output (dist/): the embedded runtime loads compiled JS exactly as
// Azure does, so the tests exercise the same files that are deployed.
/** @type {import('jest').Config} */
module.exports = {
  reporters: ['default', '<rootDir>/test/support/summary-reporter.cjs'],
  // A global option: Jest ignores testTimeout inside a project, so hooks that start the runtime
  // (beforeAll without an explicit timeout) would get the 5 s default on a loaded machine.
  testTimeout: 30_000,
  projects: [
    {
      displayName: 'unit',
      testMatch: ['<rootDir>/dist/test/unit/**/*.test.js'],
      testEnvironment: 'node',
    },
    {
      displayName: 'integration',
      testMatch: ['<rootDir>/dist/test/integration/**/*.test.js'],
      testEnvironment: 'node',
      // Each suite starts the runtime as a child process (with Azurite and the simulators).
      slowTestThreshold: 30,
    },
  ],
};
