// What a busy owner does while the daemon runs: approves (through the HTTP API or the CLI),
// sends the exports that are ready (consent, through the API or the CLI), rejects, and presses
// "record now". Decisions come from the seeded PRNG; every call tolerates
// the daemon dying under it (that is the point of the suite).
import type { Daemon } from '../../support/daemon.js';
import { sleep } from '../../support/wait.js';
import type { Rng } from './prng.js';

interface ClipItem {
  id: string;
  status: string;
}

export interface WorkloadStats {
  approvedApi: number;
  approvedCli: number;
  sent: number;
  rejected: number;
  triggers: number;
  /** Calls that failed because the daemon was down or killed mid-call. */
  interrupted: number;
}

export interface WorkloadOptions {
  cameras: string[];
  approveChance: number;
  rejectChance: number;
  cliShare: number;
  triggerChance: number;
}

export class Workload {
  readonly stats: WorkloadStats = { approvedApi: 0, approvedCli: 0, sent: 0, rejected: 0, triggers: 0, interrupted: 0 };
  /** Clips a decision was already made (or attempted) for; never decided twice. */
  private readonly decided = new Set<string>();

  constructor(
    private readonly d: Daemon,
    private readonly rng: Rng,
    private readonly opts: WorkloadOptions,
  ) {}

  /** Act every `everyMs` until `signal` aborts; resolves once the last action has settled. */
  async run(signal: AbortSignal, everyMs = 700): Promise<void> {
    while (!signal.aborted) {
      await this.tick().catch(() => this.stats.interrupted++);
      await sleep(everyMs);
    }
  }

  private async tick(): Promise<void> {
    const camera = this.rng.pick(this.opts.cameras);
    if (camera && this.rng.chance(this.opts.triggerChance)) {
      const r = await this.d.api('POST', `/cameras/${camera}/trigger`, { seconds: 2 });
      if (r.status === 202) this.stats.triggers++;
    }
    const list = await this.d.api<{ items: ClipItem[] }>('GET', '/clips?status=pending&limit=50');
    for (const clip of list.body.items ?? []) {
      if (this.decided.has(clip.id)) continue;
      const roll = this.rng.next();
      if (roll < this.opts.approveChance) {
        this.decided.add(clip.id);
        await this.approve(clip.id);
      } else if (roll < this.opts.approveChance + this.opts.rejectChance) {
        this.decided.add(clip.id);
        const r = await this.d.api('POST', `/clips/${clip.id}/reject`);
        if (r.status === 200) this.stats.rejected++;
      }
    }
    this.stats.sent += await sendReady(this.d, () => this.rng.chance(this.opts.cliShare));
  }

  private async approve(id: string): Promise<void> {
    // A blur region makes the export re-encode (the slow path, where a kill hurts most).
    const blur = { x: 0.1, y: 0.1, width: 0.3, height: 0.3 };
    // No face tracks: the colour bars give the face detector a few false faces, and this suite is
    // about crash consistency of record, export and upload (face tracks have their own tests).
    if (this.rng.chance(this.opts.cliShare)) {
      // The CLI records the decision in the database; the running daemon's export worker picks it up.
      const r = await this.d.cli(['clips', 'approve', id, '--blur', `${blur.x},${blur.y},${blur.width},${blur.height}`, '--tracks', 'none']);
      if (r.code === 0) this.stats.approvedCli++;
      return;
    }
    const r = await this.d.api('POST', `/clips/${id}/approve`, { blur: [blur], tracks: [], caption: 'fault suite' });
    if (r.status === 202) this.stats.approvedApi++;
  }
}

/**
 * The owner's Send for every share whose export is ready (the API, or the CLI when `viaCli()`); returns
 * how many went. The simulated cameras show colour bars at 320×180, in which the face check of the
 * export reports a few false faces (FACES_REMAIN): the owner looked and confirms, as the UI asks.
 */
export async function sendReady(d: Daemon, viaCli: () => boolean = () => false): Promise<number> {
  const shares = await d.api<{ id: string; clipId: string; status: string; verification?: { status: string } }[]>('GET', '/shares');
  let sent = 0;
  for (const s of Array.isArray(shares.body) ? shares.body : []) {
    if (s.status !== 'ready') continue;
    const confirm = s.verification?.status === 'faces' || s.verification?.status === 'failed';
    if (viaCli()) {
      if ((await d.cli(['clips', 'send', s.clipId, ...(confirm ? ['--confirm-faces'] : [])])).code === 0) sent++;
    } else if ((await d.api('POST', `/shares/${s.id}/send`, confirm ? { confirmFaces: true } : undefined)).status === 202) sent++;
  }
  return sent;
}
