import { randomInt } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';

const LOOPBACK = '127.0.0.1';

export function isPortFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, LOOPBACK, () => server.close(() => resolve(true)));
  });
}

/**
 * A free port below the range the OS hands out for ephemeral ports (outgoing connections and `listen(0)`), at
 * random from 20000 up to 32767: a port taken from that range and released again can be handed to someone else
 * before our child binds it, and was (a Temporal dev server's internal service took its frontend port, which then
 * failed to bind). Below 32768 also suits the Temporal server's membership ports, kept in a smallint column.
 * Another process could still bind the port first; nobody gets it from the OS by accident.
 */
export async function freePort(): Promise<number> {
  const high = Math.min(EPHEMERAL_LOW, 32_768);
  for (let attempt = 0; attempt < 200; attempt++) {
    const port = randomInt(LOW, high);
    if (await isPortFree(port)) return port;
  }
  throw new Error(`No free port between ${LOW} and ${high - 1}`);
}

const LOW = 20_000;

/** The first ephemeral port (Linux: /proc/sys/net/ipv4/ip_local_port_range; 32768 is its default). */
const EPHEMERAL_LOW = ((): number => {
  try {
    const low = Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]);
    return Number.isInteger(low) && low > LOW + 1000 ? low : 32_768;
  } catch {
    return 32_768;
  }
})();
