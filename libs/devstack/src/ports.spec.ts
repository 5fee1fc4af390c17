import { readFileSync } from 'node:fs';
import { freePort, isPortFree } from './ports';

describe('freePort', () => {
  it('picks free ports below the ephemeral range, where no listen(0) or outgoing connection can be handed them', async () => {
    const ephemeralLow = Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]);
    const ports = await Promise.all(Array.from({ length: 20 }, () => freePort()));
    for (const port of ports) {
      expect(port).toBeGreaterThanOrEqual(20_000);
      expect(port).toBeLessThan(Math.min(ephemeralLow, 32_768));
      expect(await isPortFree(port)).toBe(true);
    }
  });
});
