/**
 * The production topology test (test/topology): two API and two worker processes on the Temporal server that
 * `npm run test:topology` (scripts/topology.mjs) starts on Postgres. Kept out of the default projects
 * (jest.config.js): it needs that server, whose address the script passes in TOPOLOGY_TEMPORAL_ADDRESS.
 */
const { projects } = require('./jest.config');

const unit = projects.find((p) => p.displayName === 'unit');

module.exports = {
  testTimeout: 20 * 60_000,
  projects: [{ ...unit, displayName: 'topology', testMatch: ['<rootDir>/test/topology/**/*.topology-spec.ts'] }],
};
