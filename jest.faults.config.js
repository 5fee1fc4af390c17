/**
 * The fault suite (`npm run test:faults`): one Jest file that starts its own Postgres, Temporal dev server, API
 * and worker as processes it can kill. Kept out of the default projects (jest.config.js) so that `jest` alone
 * does not run it; `npm test` runs it at the end.
 */
const { projects } = require('./jest.config');

const unit = projects.find((p) => p.displayName === 'unit');

module.exports = {
  testTimeout: 15 * 60_000,
  projects: [{ ...unit, displayName: 'faults', testMatch: ['<rootDir>/test/faults/**/*.faults-spec.ts'] }],
};
