import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { ROOT } from '../support/isolation';
import { findOrInstallSchemathesis, SCHEMATHESIS_VERSION } from '../support/schemathesis';
import { startSteward, Steward } from '../support/steward';

/**
 * Schema-aware fuzzing of every operation in /docs-json with Schemathesis, on the real stack, as several kinds
 * of user. Passes when no response is a 5xx and every 4xx is the contract's error body (the custom check in
 * test/fuzz/contract_checks.py). Every operation gets Schemathesis' examples, coverage (boundary and invalid
 * values of every parameter and field) and fuzzing phases, FUZZ_MAX_EXAMPLES (default 3) generated cases each.
 *
 * Bounded to a few minutes on two cores: each user fuzzes the operations of their own part of the API (by
 * OpenAPI tag; the first user takes every tag nobody else claims, so a new controller is fuzzed too), two users
 * at a time. FUZZ_ALL=1 has every user fuzz every operation (a much longer run); FUZZ_SEED sets the seed.
 */

const SLICES: { user: string; tags: string[] }[] = [
  { user: 'alice', tags: [] }, // employee: change requests, approval requests, delegations and whatever is not below
  { user: 'sam', tags: ['complaints', 'reports', 'tasks', 'notifications'] }, // agent
  { user: 'hank', tags: ['pips', 'directory'] }, // hr
  { user: 'audrey', tags: ['audit', 'health', 'development'] }, // auditor
  { user: 'root', tags: ['crises'] }, // admin
];
const ALL = process.env.FUZZ_ALL === '1';
const MAX_EXAMPLES = process.env.FUZZ_MAX_EXAMPLES ?? '3';
const SEED = process.env.FUZZ_SEED ?? '20261202';
/** Schemathesis refuses a --checks name nobody registered, so the custom check cannot silently not run. */
const CHECKS = 'not_a_server_error,contract_error_shape';
const CONTRACT_CHECKS = join(ROOT, 'test', 'fuzz', 'contract_checks.py');

/** Schemathesis filter arguments for a user's slice, naming only tags the document has (`tags`). */
function sliceArgs(slice: { tags: string[] }, tags: Set<string>): string[] {
  if (ALL) return [];
  if (slice.tags.length > 0) return slice.tags.filter((t) => tags.has(t)).flatMap((t) => ['--include-tag', t]);
  return SLICES.flatMap((s) => s.tags)
    .filter((t) => tags.has(t))
    .flatMap((t) => ['--exclude-tag', t]);
}

jest.setTimeout(10 * 60_000);

interface StRun {
  code: number | null;
  output: string;
  junit: string;
  ms: number;
}

function runSchemathesis(st: string, base: string, authorization: string, reportDir: string, user: string, filters: string[]): Promise<StRun> {
  const junit = join(reportDir, `${user}.xml`);
  const args = [
    'run',
    `${base}/docs-json`,
    '--url',
    base,
    '--header',
    `Authorization: ${authorization}`,
    '--checks',
    CHECKS,
    ...filters,
    '--phases',
    'examples,coverage,fuzzing',
    '--max-examples',
    MAX_EXAMPLES,
    '--seed',
    SEED,
    // One worker: Hypothesis 6 describing strategies from two threads at once fails now and then ("AST constructor
    // recursion depth mismatch"); two users run side by side instead.
    '--workers',
    '1',
    '--request-timeout',
    '30',
    '--generation-database',
    'none',
    '--no-shrink',
    '--continue-on-failure',
    '--suppress-health-check',
    'all',
    '--report',
    'junit',
    '--report-junit-path',
    junit,
    '--no-color',
    '--output-truncate',
    'true',
  ];
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(st, args, {
      cwd: reportDir,
      env: { ...process.env, SCHEMATHESIS_HOOKS: CONTRACT_CHECKS, NO_COLOR: '1', PYTHONUNBUFFERED: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    child.once('error', reject);
    child.once('close', (code) => {
      let xml = '';
      try {
        xml = readFileSync(junit, 'utf8');
      } catch {
        // No report: the output says why.
      }
      writeFileSync(join(reportDir, `${user}.log`), output);
      resolve({ code, output, junit: xml, ms: Date.now() - started });
    });
  });
}

/** Operations tested and failed in a JUnit report (one testcase per operation). */
function junitSummary(xml: string): { tested: string[]; failed: string[] } {
  const cases = [...xml.matchAll(/<testcase\b[^>]*\bname="([^"]*)"[^>]*?(\/>|>([\s\S]*?)<\/testcase>)/g)];
  const failed = cases.filter((m) => /<(failure|error)\b/.test(m[3] ?? '')).map((m) => m[1]);
  return { tested: cases.map((m) => m[1]), failed };
}

describe(`Schemathesis ${SCHEMATHESIS_VERSION} over every operation of /docs-json`, () => {
  let s: Steward;
  let base: string;
  let st: string;
  const reportDir = mkdtempSync(join(tmpdir(), 'steward-fuzz-'));

  beforeAll(async () => {
    st = await findOrInstallSchemathesis();
    // Fuzzing sends thousands of requests from one address: FUZZ_API_ENV (JSON) passes settings such as a
    // higher request rate limit to the API under test.
    s = await startSteward(JSON.parse(process.env.FUZZ_API_ENV ?? '{}') as Record<string, string>);
    await s.app.listen(0, '127.0.0.1');
    base = `http://127.0.0.1:${(s.app.getHttpServer().address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await s?.close();
  });

  it("has a contract check that tells the contract's error body from others", async () => {
    // The check's own rules, run by the virtualenv's Python: a contract body passes, anything else is named.
    const script = [
      'import json, runpy, sys',
      `m = runpy.run_path(${JSON.stringify(CONTRACT_CHECKS)})`,
      'p = m["error_body_problems"]',
      'ok = json.dumps({"statusCode": 404, "error": "Not Found", "message": "no such case", "details": []})',
      'bad400 = json.dumps({"statusCode": 400, "error": "Bad Request", "message": "invalid", "details": []})',
      'print(json.dumps([p(404, "application/json", ok), p(400, "application/json", bad400), p(404, "text/html", "<p>no</p>"),',
      '  p(403, "application/json", json.dumps({"statusCode": 403, "message": ["a"]})), p(409, "application/json", "[]")]))',
    ].join('\n');
    const out = await new Promise<string>((resolve, reject) => {
      const child = spawn(join(dirname(st), 'python'), ['-c', script], { stdio: ['ignore', 'pipe', 'inherit'] });
      let text = '';
      child.stdout.on('data', (d: Buffer) => (text += d.toString()));
      child.once('error', reject);
      child.once('close', (code) => (code === 0 ? resolve(text) : reject(new Error(`python exited with ${code}`))));
    });
    const [ok, bad400, html, shapeless, array] = JSON.parse(out) as string[][];
    expect(ok).toEqual([]);
    expect(bad400).toEqual(['a 400 whose details name no field']);
    expect(html).toEqual(["Content-Type is 'text/html', not JSON"]);
    expect(shapeless).toEqual(expect.arrayContaining([expect.stringMatching(/^error is/), expect.stringMatching(/^message is/), expect.stringMatching(/^details is/)]));
    expect(array).toEqual(['the body is a list, not an object']);
  });

  it('serves an OpenAPI document for Schemathesis to read', async () => {
    const res = await s.http.get('/docs-json').expect(200);
    expect(Object.keys(res.body.paths).length).toBeGreaterThan(30);
  });

  it('finds no 5xx and no malformed 4xx in any operation, as an employee, an agent, HR, an auditor and an admin', async () => {
    const doc = (await s.http.get('/docs-json').expect(200)).body as { paths: Record<string, Record<string, { tags?: string[] }>> };
    const operations = Object.entries(doc.paths).flatMap(([path, item]) => Object.keys(item).map((m) => `${m.toUpperCase()} ${path}`));
    const tags = new Set(Object.values(doc.paths).flatMap((item) => Object.values(item).flatMap((op) => op.tags ?? [])));
    const slices = SLICES.filter((slice) => ALL || slice.tags.length === 0 || slice.tags.some((t) => tags.has(t)));
    const results: { user: string; run: StRun; tested: string[]; failed: string[] }[] = [];
    const queue = [...slices];
    const worker = async () => {
      for (let slice = queue.shift(); slice; slice = queue.shift()) {
        const run = await runSchemathesis(st, base, s.as(slice.user).Authorization, reportDir, slice.user, sliceArgs(slice, tags));
        const { tested, failed } = junitSummary(run.junit);
        const cases = /(\d+) generated/.exec(run.output)?.[1] ?? '?';
        process.stderr.write(`[fuzz] ${slice.user}: ${cases} cases over ${tested.length} operations, ${failed.length} failing, ${(run.ms / 1000).toFixed(1)} s, exit ${run.code} (output in ${reportDir})\n`);
        results.push({ user: slice.user, run, tested, failed });
      }
    };
    await Promise.all([worker(), worker()]);
    // Failures with Schemathesis' own report of each (the request to reproduce it, the response).
    const broken = results.filter((r) => r.failed.length > 0 || r.run.code !== 0).map((r) => ({ user: r.user, failed: r.failed, output: r.run.output.slice(-15_000) }));
    expect(broken).toEqual([]);
    // Every documented operation was fuzzed by someone.
    const tested = new Set(results.flatMap((r) => r.tested));
    expect(operations.filter((o) => !tested.has(o))).toEqual([]);
  });
});
