import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';

/**
 * Answers GET /metrics with the registry's exposition; false for any other
 * request (the caller serves or refuses it). One home for the endpoint the
 * SFU server and viewer shards both expose.
 */
export function serveMetrics(registry: Registry, req: http.IncomingMessage, res: http.ServerResponse): boolean {
  if (req.method !== 'GET' || req.url !== '/metrics') return false;
  void registry.metrics().then(
    (body) => res.writeHead(200, { 'content-type': registry.contentType }).end(body),
    (error: Error) => res.writeHead(500, { 'content-type': 'text/plain' }).end(`metrics failed: ${error.message}\n`),
  );
  return true;
}

/** `/metrics` for a process that has no SFU server (a viewer shard). Loopback unless told otherwise. */
export class MetricsServer {
  private constructor(private readonly server: http.Server) {}

  static async start(registry: Registry, port = 0, host = '127.0.0.1'): Promise<MetricsServer> {
    const server = http.createServer((req, res) => {
      if (!serveMetrics(registry, req, res)) res.writeHead(404).end();
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, resolve);
    });
    return new MetricsServer(server);
  }

  get url(): string {
    const a = this.server.address() as AddressInfo;
    return `http://${a.address}:${a.port}/metrics`;
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
