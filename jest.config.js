// Tests run on the compiled output (dist/): the local stand-in loads compiled JS exactly as Azure
// does, so the tests exercise the same files that are deployed. The workspace packages' own tests
// run here too, as projects of their own.
/** @type {import('jest').Config} */
module.exports = {
  reporters: ['default', '<rootDir>/test/support/summary-reporter.cjs'],
  // A global option: Jest ignores testTimeout inside a project, so hooks that start the runtime
  // (beforeAll without an explicit timeout) would get the 5 s default on a loaded machine.
  testTimeout: 60_000,
  // Suites mostly wait (on their stand-in child process, its timers and simulators), so four
  // run side by side even on two cores: measured 11.5 min serially (Jest's default here is one
  // worker) against 4.6 min with three and 4.0 with four, every test passing in each run.
  maxWorkers: 4,
  projects: [
    { displayName: 'unit', testMatch: ['<rootDir>/dist/test/unit/**/*.test.js'], testEnvironment: '<rootDir>/test/support/node-environment.cjs' },
    // Each suite starts the stand-in as a child process (with Azurite and the simulators).
    { displayName: 'integration', testMatch: ['<rootDir>/dist/test/integration/**/*.test.js'], testEnvironment: '<rootDir>/test/support/node-environment.cjs', slowTestThreshold: 30 },
    { displayName: 'azure-standin', testMatch: ['<rootDir>/packages/azure-standin/dist/test/**/*.test.js'], testEnvironment: '<rootDir>/test/support/node-environment.cjs', slowTestThreshold: 30 },
    { displayName: 'commerce-simulators', testMatch: ['<rootDir>/packages/commerce-simulators/dist/test/**/*.test.js'], testEnvironment: '<rootDir>/test/support/node-environment.cjs' },
  ],
};
