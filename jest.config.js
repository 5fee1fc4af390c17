/** Three tiers: pure rules (unit), workflows on the time-skipping test server, and the real stack (e2e). */
const base = {
  rootDir: __dirname,
  transform: {
    '^.+\\.ts$': ['@swc/jest'],
    // @nestjs/* 12 ship ES modules only. Node runs them through require(esm), but Jest has no require(esm) before
    // Node 24.9, so inside Jest those files are compiled to CommonJS (dynamic import() becomes require()).
    '/node_modules/@nestjs/.+\\.js$': [
      '@swc/jest',
      { swcrc: false, jsc: { parser: { syntax: 'ecmascript' }, target: 'es2022' }, module: { type: 'commonjs' } },
    ],
  },
  transformIgnorePatterns: ['/node_modules/(?!@nestjs/)'],
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
