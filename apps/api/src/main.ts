import 'reflect-metadata';
import { ConfigError, loadConfig } from '@steward/config';
import { createApiApp } from './bootstrap';

async function main(): Promise<void> {
  const config = loadConfig();
  const app = await createApiApp(config);
  await app.listen(config.PORT, config.listenHost);
}

main().catch((err) => {
  // The logger may not exist yet (bad configuration): stderr is the only honest place left.
  process.stderr.write(`${err instanceof ConfigError ? err.message : (err as Error).stack}\n`);
  process.exit(1);
});
