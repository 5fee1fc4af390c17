// `npm run build`: everything `npm start` and the tests run, into dist/.
//
// 1. The server code (apps, libs, workflows, bench) is compiled by swc, file by file, with the same .swcrc the
//    tests use, and the `@steward/*` path aliases rewritten to relative requires. swc only strips types: type
//    checking is `npm run typecheck` (tsc), which `npm test` runs. This takes a second where tsc took twenty.
// 2. Then, side by side: the workflow bundle the worker loads (dist/workflow-bundle.js, so the worker does not
//    run webpack at every start) and the web console (vite, into dist/web).
import { spawn } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { transformFile } from '@swc/core';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const DIST = join(ROOT, 'dist');
const SOURCE_DIRS = ['apps', 'libs', 'workflows', 'bench'];
/** The console has its own build (vite); tests are not shipped. */
const SKIP = [/^apps\/web\//, /\.spec\.ts$/, /\.d\.ts$/];

const startedAt = Date.now();
const elapsed = (since) => `${((Date.now() - since) / 1000).toFixed(1)}s`;
const say = (m) => process.stdout.write(`build: ${m}\n`);

function sources() {
  const files = [];
  for (const dir of SOURCE_DIRS) {
    for (const f of readdirSync(join(ROOT, dir), { recursive: true, encoding: 'utf8' })) {
      const path = `${dir}/${f.split('\\').join('/')}`;
      if (path.endsWith('.ts') && !SKIP.some((re) => re.test(path))) files.push(path);
    }
  }
  return files;
}

/** The .swcrc the tests use, plus tsconfig's path aliases (swc rewrites them into relative requires). */
function swcOptions() {
  const swcrc = JSON.parse(readFileSync(join(ROOT, '.swcrc'), 'utf8'));
  delete swcrc.$schema;
  const { paths } = JSON.parse(readFileSync(join(ROOT, 'tsconfig.json'), 'utf8')).compilerOptions;
  return { ...swcrc, swcrc: false, jsc: { ...swcrc.jsc, baseUrl: ROOT, paths } };
}

async function compileServer() {
  const since = Date.now();
  for (const dir of SOURCE_DIRS) rmSync(join(DIST, dir), { recursive: true, force: true });
  const options = swcOptions();
  const files = sources();
  await Promise.all(
    files.map(async (file) => {
      const { code } = await transformFile(join(ROOT, file), { ...options, filename: join(ROOT, file) });
      const out = join(DIST, file.replace(/\.ts$/, '.js'));
      mkdirSync(dirname(out), { recursive: true });
      writeFileSync(out, code);
    }),
  );
  say(`compiled ${files.length} files in ${elapsed(since)}`);
}

/** Runs `node <args>` (a tool from node_modules or dist/), failing the build with its output when it fails. */
function run(label, args) {
  const since = Date.now();
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    child.once('error', fail);
    child.once('exit', (code) => {
      if (code === 0) {
        say(`${label} in ${elapsed(since)}`);
        done();
      } else {
        fail(new Error(`${label} failed (exit ${code}):\n${output}`));
      }
    });
  });
}

const tool = (pkg, bin) => join(ROOT, 'node_modules', pkg, bin);

try {
  await compileServer();
  await Promise.all([
    run('bundled the workflows', [join(DIST, 'libs', 'temporal', 'src', 'write-workflow-bundle.js'), join(DIST, 'workflow-bundle.js')]),
    run('built the web console', [tool('vite', 'bin/vite.js'), 'build', '--config', 'apps/web/vite.config.ts', '--logLevel', 'warn']),
  ]);
  say(`done in ${elapsed(startedAt)} (${relative(process.cwd(), DIST) || '.'})`);
} catch (err) {
  process.stderr.write(`build: ${err.message}\n`);
  process.exit(1);
}
