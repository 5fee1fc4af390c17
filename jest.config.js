/** Three tiers: pure rules (unit), workflows on the time-skipping test server, and the real stack (e2e). */
const base = {
  rootDir: __dirname,
  transform: { '^.+\\.ts$': ['@swc/jest'] },
  moduleFileExtensions: ['ts', 'js', 'json'],
  moduleNameMapper: {
    '^@steward/workflows/(.*)$': '<rootDir>/workflows/$1',
    '^@steward/workflows$': '<rootDir>/workflows',
    '^@steward/(config|devstack|directory|domain|persistence|temporal)$': '<rootDir>/libs/$1/src',
  },
  testEnvironment: 'node',
};

module.exports = {
  // Only the top-level value counts (jest-circus ignores it per project); the real services need more than 5 s.
  testTimeout: 120_000,
  reporters: ['default', '<rootDir>/test/support/summary-reporter.js'],
  // In CI a worker left polling by a failed test must not keep the run alive until the CI time limit.
  forceExit: Boolean(process.env.CI),
  projects: [
    { ...base, displayName: 'unit', testMatch: ['<rootDir>/{apps,libs,workflows}/**/*.spec.ts'] },
    {
      ...base,
      displayName: 'workflows',
      testMatch: ['<rootDir>/test/workflows/**/*.spec.ts'],
    },
    {
      ...base,
      displayName: 'e2e',
      testMatch: ['<rootDir>/test/e2e/**/*.e2e-spec.ts', '<rootDir>/test/support/**/*.spec.ts'],
      globalSetup: '<rootDir>/test/support/global-setup.ts',
      globalTeardown: '<rootDir>/test/support/global-teardown.ts',
    },
  ],
};
