import { setTimeout as sleep } from 'node:timers/promises';
import type { Sfu } from '../sfu/Sfu.js';
import type { SignalingServer } from '../signaling/SignalingServer.js';
import { hold, release, type Pausable } from '../sfu/pauseHolds.js';

/** Undoes a media pause. */
export interface Resumable {
  resume(): Promise<void>;
}

/**
 * What a fault may do to the SFU, and nothing more: the one surface the
 * harness's faults act through. They never walk the SFU's rooms, peers and
 * consumers, nor signal its processes, themselves.
 */
export class FaultOperations {
  constructor(
    private readonly sfu: Sfu,
    private readonly signaling: SignalingServer,
    private readonly setSignalingUp: (up: boolean) => void,
  ) {}

  /**
   * Stops one media kind reaching some viewers of a room (their consumers) or,
   * with 'all', everyone (the room's producers, so new joiners are hit too).
   * Two pauses of the same media overlap: it resumes when both are undone.
   */
  async pauseMedia(roomName: string, kind: 'audio' | 'video', viewers: readonly string[] | 'all'): Promise<Resumable> {
    const room = this.sfu.rooms.get(roomName);
    if (!room) throw new Error(`room "${roomName}" does not exist`);
    const paused: Pausable[] =
      viewers === 'all'
        ? room.producers().map((p) => p.producer).filter((p) => p.kind === kind)
        : viewers.flatMap((id) => [...(room.peers.get(id)?.consumers.values() ?? [])].filter((c) => c.kind === kind));
    if (paused.length === 0) throw new Error(`${kind}: nothing to pause for ${viewers === 'all' ? 'the room' : viewers.join(', ') || 'no viewers'}`);
    await Promise.all(paused.map(hold));
    return { resume: async () => void (await Promise.all(paused.map(release))) };
  }

  /** Drops these peers' media and signaling at once; they must come back by themselves. */
  kick(peerIds: readonly string[]): void {
    this.signaling.kick(new Set(peerIds));
  }

  /**
   * SIGKILLs a worker; the SFU replaces it in its slot and the peers of its
   * rooms must rejoin. Returns those peers (its own, and every peer of a room
   * whose origin it carried) and a wait for the replacement.
   */
  crashWorker(index: number): { peers: string[]; replaced(): Promise<void> } {
    const slot = this.sfu.workers[index];
    if (!slot) throw new Error(`no worker ${index}: the SFU has ${this.sfu.workers.length}`);
    const peers = [...this.sfu.rooms.values()].flatMap((r) =>
      [...r.peers.values()].filter((p) => r.originWorker === index || p.workerIndex === index).map((p) => p.id),
    );
    const pid = slot.worker.pid;
    process.kill(pid, 'SIGKILL');
    return {
      peers,
      replaced: async () => {
        for (let i = 0; i < 50 && this.sfu.workers[index].worker.pid === pid; i++) await sleep(100);
        if (this.sfu.workers[index].worker.pid === pid) throw new Error(`worker ${index} was not replaced`);
      },
    };
  }

  /** Signaling outage on/off: refuses new connections and drops current ones; media keeps flowing. */
  setSignalingAvailable(up: boolean): void {
    this.setSignalingUp(up);
  }
}
