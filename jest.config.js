// Tests run on the compiled output (dist/): the embedded runtime loads compiled JS exactly as
// Azure does, so the tests exercise the same files that are deployed.
/** @type {import('jest').Config} */
module.exports = {
  reporters: ['default', '<rootDir>/test/support/summary-reporter.cjs'],
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
      slowTestThreshold: 30,
      // Each suite starts the runtime as a child process (with Azurite and the simulators).
      testTimeout: 30_000,
    },
  ],
};
