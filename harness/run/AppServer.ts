import { createConnection } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { OwnedProcess } from '../../common/OwnedProcess.js';
import { freeTcpPort } from '../../common/ports.js';

const READY_TIMEOUT_MS = 30_000;

/**
 * The app under test's own server, when the scenario says how to start it
 * (`app.start`): run by the shell in the scenario file's folder with a free
 * loopback port as $PORT, ready once that port accepts connections, stopped
 * with the run.
 */
export class AppServer {
  private constructor(
    private readonly process: OwnedProcess,
    readonly port: number,
  ) {}

  static async start(command: string, cwd: string): Promise<AppServer> {
    const port = await freeTcpPort();
    // The shell stays, and when livedrill dies it is told (TERM) and takes its whole group with it:
    // the kernel's death signal reaches only the shell, not what the command started.
    const script = `trap 'trap - TERM; kill 0' TERM; ${command} & wait $!`;
    const child = new OwnedProcess('sh', ['-c', script], { cwd, env: { ...process.env, PORT: String(port) }, deathSignal: 'TERM' });
    const deadline = Date.now() + READY_TIMEOUT_MS;
    while (!(await accepts(port))) {
      if (!child.running || Date.now() > deadline) {
        await child.stop();
        const why = child.running ? `did not listen on port ${port} (given as $PORT) within ${READY_TIMEOUT_MS / 1000} s` : child.ended;
        throw new Error(`app.start: "${command}" ${why}; its last output:\n${child.logTail}`);
      }
      await sleep(100);
    }
    return new AppServer(child, port);
  }

  close(): Promise<void> {
    return this.process.stop();
  }
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
