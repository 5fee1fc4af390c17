// `npm run test:topology`: Steward on the production Temporal server instead of the CLI's dev server.
//
// 1. Finds the Temporal server and its SQL tool in the devstack cache, or builds them there with `go install` from
//    the Go module proxy (a few minutes, once).
// 2. Starts embedded Postgres in a temporary directory, sets up the `temporal` and `temporal_visibility` schemas
//    with the SQL tool, and starts the server on them with a generated config (namespace `default`).
// 3. Runs (a) the whole e2e tier (`jest --selectProjects e2e`) with TEMPORAL_ADDRESS pointing at that server and
//    DATABASE_URL at that Postgres, then (b) the topology test (jest.topology.config.js): two API and two worker
//    processes on one database and task queue, one worker killed with SIGKILL half way.
// 4. Prints the figures and stops everything it started, also on failure and on Ctrl-C / SIGTERM.
//
// TOPOLOGY_PARTS=e2e or TOPOLOGY_PARTS=flows runs one part only (default: both).
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const JEST = join(ROOT, 'node_modules', 'jest', 'bin', 'jest.js');
const PARTS = new Set((process.env.TOPOLOGY_PARTS || 'e2e,flows').split(',').map((p) => p.trim()));
for (const part of PARTS) {
  if (part !== 'e2e' && part !== 'flows') throw new Error(`TOPOLOGY_PARTS names "${part}": use e2e, flows or both (e2e,flows)`);
}

const runStarted = Date.now();
const clock = () => new Date().toISOString().slice(11, 19);
const say = (m) => process.stderr.write(`[topology ${clock()}] ${m}\n`);
const seconds = (ms) => `${(ms / 1000).toFixed(1)} s`;

/** dist/ holds the devstack this script runs: build when it is missing or older than libs/devstack. */
function devstackIsStale() {
  const built = join(ROOT, 'dist', 'libs', 'devstack', 'src', 'index.js');
  if (!existsSync(built)) return true;
  const builtAt = statSync(built).mtimeMs;
  const src = join(ROOT, 'libs', 'devstack', 'src');
  return readdirSync(src).some((f) => f.endsWith('.ts') && statSync(join(src, f)).mtimeMs > builtAt);
}

/** The running child (a Jest run, in its own process group) and what to stop, last first. */
let current = null;
const stops = [];
let stopping = null;
/** Keep the temporary directory (the server's log, the cluster) for a look after a failed run. */
let keepDir = true;
// Embedded Postgres's exit hook may end this process before cleanUp() has stopped the group: kill it then.
process.on('exit', () => {
  if (current) {
    try {
      process.kill(-current.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
});

function runNode(label, args, env) {
  return new Promise((done, fail) => {
    const started = Date.now();
    if (interrupted) return done({ label, code: null, signal: 'interrupted', ms: 0 });
    // Its own process group: on Ctrl-C or SIGTERM the whole group (Jest, its workers, the API and worker
    // processes they started) is stopped, not only Jest.
    const child = spawn(process.execPath, args, { cwd: ROOT, env: { ...process.env, ...env }, stdio: 'inherit', detached: true });
    current = child;
    child.once('error', fail);
    child.once('exit', (code, signal) => {
      current = null;
      done({ label, code, signal, ms: Date.now() - started });
    });
  });
}

function stopGroup(child) {
  return new Promise((done) => {
    if (child.exitCode !== null || child.signalCode !== null) return done();
    const kill = (signal) => {
      try {
        process.kill(-child.pid, signal);
      } catch {
        // already gone
      }
    };
    child.once('exit', () => {
      clearTimeout(escalation);
      // Whatever of the group outlived Jest.
      kill('SIGKILL');
      done();
    });
    kill('SIGTERM');
    const escalation = setTimeout(() => kill('SIGKILL'), 10_000);
  });
}

function cleanUp() {
  stopping ??= (async () => {
    if (current) await stopGroup(current);
    for (const stop of stops.reverse()) await stop().catch((err) => say(`while stopping: ${err.message}`));
  })();
  return stopping;
}

// On SIGINT, SIGTERM or SIGHUP: stop everything, then exit (128 + the signal). Through async-exit-hook, as embedded
// Postgres's own stop is, so that the process waits for both rather than exiting when the first is done.
let finished = false;
let interrupted = false;
const exitHook = require('async-exit-hook');
exitHook.forceExitTimeout(60_000);
exitHook((done) => {
  if (!finished) {
    interrupted = true;
    // Aborted on purpose: nothing to look at afterwards.
    keepDir = false;
    say('stopping everything this run started...');
  }
  void cleanUp().then(done, done);
});

function readJson(file) {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    return null;
  }
}

const counts = (report) =>
  report ? `${report.numPassedTests} passed, ${report.numFailedTests} failed, ${report.numPendingTests + (report.numTodoTests ?? 0)} skipped of ${report.numTotalTests} tests in ${report.numTotalTestSuites} files` : 'no report';

async function main() {
  if (devstackIsStale()) {
    say('dist/ is older than libs/devstack: building...');
    const build = await runNode('build', [join(ROOT, 'scripts', 'build.mjs')], {});
    if (build.code !== 0) throw new Error('npm run build failed');
  }
  const devstack = require(join(ROOT, 'dist', 'libs', 'devstack', 'src', 'index.js'));
  const log = (m) => say(m);
  const figures = {};

  const dir = mkdtempSync(join(tmpdir(), 'steward-topology-'));
  stops.push(async () => {
    if (keepDir) say(`kept ${dir} (temporal-server.log, the Postgres cluster): delete it when done`);
    else rmSync(dir, { recursive: true, force: true });
  });

  const stack = await devstack.startTemporalServerStack({ dir, namespace: 'default', log });
  stops.push(() => stack.stop());
  const { install, server, postgres: pg } = stack;
  figures.serverFoundOrBuilt = stack.timings.foundOrBuilt;
  figures.postgresStart = stack.timings.postgresStart;
  figures.schemaSetup = stack.timings.schemaSetup;
  figures.serverStart = stack.timings.serverStart;

  const runs = [];
  if (PARTS.has('e2e')) {
    say(`(a) the e2e tier on the Temporal server at ${server.address}, Postgres at ${new URL(pg.url).host}...`);
    const report = join(dir, 'e2e.json');
    const run = await runNode('e2e', [JEST, '--selectProjects', 'e2e', '--json', '--outputFile', report], {
      TEMPORAL_ADDRESS: server.address,
      TEMPORAL_NAMESPACE: 'default',
      DATABASE_URL: pg.url,
    });
    runs.push({ ...run, report: readJson(report) });
  }
  if (PARTS.has('flows') && !interrupted) {
    say('(b) the topology test: two APIs and two workers, one worker killed...');
    const report = join(dir, 'flows.json');
    const figuresFile = join(dir, 'topology-figures.json');
    const run = await runNode('topology', [JEST, '-c', join(ROOT, 'jest.topology.config.js'), '--json', '--outputFile', report], {
      TOPOLOGY_TEMPORAL_ADDRESS: server.address,
      TOPOLOGY_NAMESPACE: 'default',
      TOPOLOGY_DATABASE_URL: pg.url,
      TOPOLOGY_FIGURES_FILE: figuresFile,
      // The test's process logs go in this run's directory, which is removed with it (or kept when a part failed).
      TOPOLOGY_LOG_DIR: join(dir, 'processes'),
    });
    runs.push({ ...run, report: readJson(report), figures: readJson(figuresFile) });
  }

  if (interrupted) return 130;
  const failed = runs.filter((r) => r.code !== 0);
  keepDir = failed.length > 0;
  const rows = [
    ['Temporal server', `${devstack.TEMPORAL_SERVER_VERSION} (found or built in ${seconds(figures.serverFoundOrBuilt)}): ${install.server}`],
    ['Postgres start', seconds(figures.postgresStart)],
    ['schema setup (SQL tool)', seconds(figures.schemaSetup)],
    ['server start + namespace', seconds(figures.serverStart)],
    ...runs.map((r) => [`${r.label} (${seconds(r.ms)})`, `${r.code === 0 ? 'passed' : `FAILED (exit ${r.code ?? r.signal})`}: ${counts(r.report)}`]),
    ...runs
      .filter((r) => r.figures)
      .map((r) => {
        const f = r.figures;
        const work = Object.entries(f.byWorker)
          .map(([w, d]) => `${w} ${d.workflowTasks}/${d.activities}`)
          .join(', ');
        return ['topology figures', `${f.cases} cases, requests api-1/api-2 ${f.requestsPerApi['api-1']}/${f.requestsPerApi['api-2']}, ${f.workerKills} kill -9, workflow tasks/activities ${work}, lost ${f.lost}, doubled ${f.doubled}, flows ${f.flowSeconds} s`];
      }),
    ['total', seconds(Date.now() - runStarted)],
  ];
  const width = Math.max(...rows.map(([k]) => k.length));
  process.stdout.write(`\nProduction topology run\n${rows.map(([k, v]) => `  ${k.padEnd(width)}  ${v}`).join('\n')}\n`);
  return failed.length === 0 ? 0 : 1;
}

main().then(
  async (code) => {
    await cleanUp();
    finished = true;
    process.exit(code);
  },
  async (err) => {
    say(err.stack ?? String(err));
    await cleanUp();
    finished = true;
    process.exit(1);
  },
);
