import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';

/** A TCP port free on `host` now, for a process that must be told its port before it starts. */
export function freeTcpPort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, host, () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}
