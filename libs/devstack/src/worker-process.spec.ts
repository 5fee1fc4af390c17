import { DEFAULT_WORKER_HEAP_MB, workerProcessOptions } from './worker-process';

describe('workerProcessOptions', () => {
  it('caps the heap and the malloc arenas by default', () => {
    expect(workerProcessOptions({})).toEqual({ execArgv: [`--max-old-space-size=${DEFAULT_WORKER_HEAP_MB}`], env: { MALLOC_ARENA_MAX: '2' } });
  });

  it('takes WORKER_HEAP_MB and an existing MALLOC_ARENA_MAX', () => {
    expect(workerProcessOptions({ WORKER_HEAP_MB: '1024', MALLOC_ARENA_MAX: '4' })).toEqual({ execArgv: ['--max-old-space-size=1024'], env: { MALLOC_ARENA_MAX: '4' } });
  });

  it('leaves the heap to a --max-old-space-size already in NODE_OPTIONS', () => {
    expect(workerProcessOptions({ NODE_OPTIONS: '--enable-source-maps --max-old-space-size=2048' }).execArgv).toEqual([]);
  });

  it.each(['', '64', '1.5', '512MB', '-1'])('refuses WORKER_HEAP_MB=%j, naming it', (value) => {
    expect(() => workerProcessOptions({ WORKER_HEAP_MB: value })).toThrow(/WORKER_HEAP_MB/);
  });
});
