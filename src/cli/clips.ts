import type { Core } from '../core/core.js';
import { AppError, isAppError } from '../core/errors.js';
import type { ApproveInput } from '../core/ports.js';
import { inUploadQueue } from '../core/share-rules.js';
import type { ClipStatus, Region, Share } from '../core/types.js';
import type { Repos } from '../db/index.js';
import type { ShareRecord } from '../db/repos/shares.js';
import { createAnalysis } from '../detect/index.js';
import { createReview, type ReviewService } from '../review/index.js';
import { ShareService } from '../upload/index.js';
import { parse, UsageError } from './args.js';
import { loadConfigForCommand, type Io } from './context.js';
import { withCoreAsync } from './db-command.js';
import { CONFIG_FLAG, type CommandSpec } from './spec.js';

const STATUSES: readonly ClipStatus[] = ['pending', 'approved', 'rejected'];
const NUMBER = /^\d+(\.\d+)?$/;

/** `--trim START:END` in seconds (decimals allowed) → milliseconds. */
export function parseTrim(text: string): { startMs: number; endMs: number } {
  const [start, end, extra] = text.split(':');
  if (extra !== undefined || !start || !end || !NUMBER.test(start) || !NUMBER.test(end)) {
    throw new UsageError(`--trim ${text}: expected START:END in seconds, e.g. 2:9.5`);
  }
  return { startMs: Math.round(Number(start) * 1000), endMs: Math.round(Number(end) * 1000) };
}

/** `--blur x,y,w,h` as fractions of the frame. */
export function parseRegion(text: string): Region {
  const parts = text.split(',').map((p) => p.trim());
  if (parts.length !== 4 || parts.some((p) => !/^-?\d*\.?\d+$/.test(p))) {
    throw new UsageError(`--blur ${text}: expected x,y,w,h as fractions of the frame, e.g. 0.1,0.2,0.3,0.25`);
  }
  const [x, y, width, height] = parts.map(Number) as [number, number, number, number];
  return { x, y, width, height };
}

/** `--tracks 1,3` (face track ids from `clips analyse`), or `none`. */
export function parseTracks(text: string): number[] {
  if (text.trim() === 'none') return [];
  const parts = text.split(',').map((p) => p.trim());
  if (parts.some((p) => !/^[1-9]\d{0,5}$/.test(p))) throw new UsageError(`--tracks ${text}: expected face track ids like 1,3 (see clipgate clips analyse ID), or none`);
  return parts.map(Number);
}

const ACTIONS = ['list', 'approve', 'send', 'cancel', 'reject', 'delete', 'retry', 'analyse'] as const;
type Action = (typeof ACTIONS)[number];
/** How long `clips cancel` waits for the daemon to carry out a withdrawal it asked for. */
const CANCEL_WAIT_MS = 20_000;

export const clipsCommand = {
  name: 'clips',
  summary:
    'Headless review: list clips; approve one (the running daemon prepares the redacted export), then send it (your consent: it is uploaded) or cancel; reject, delete or retry.',
  flags: {
    ...CONFIG_FLAG,
    status: { type: 'string', value: 'S', help: 'only clips with this status: pending, approved or rejected' },
    limit: { type: 'string', value: 'N', help: 'at most N clips, newest first', default: '100' },
    'keep-audio': { type: 'boolean', help: 'keep the audio track in the export (stripped by default)' },
    trim: { type: 'string', value: 'START:END', help: 'share only this part, in seconds (e.g. 2:9.5)' },
    blur: { type: 'string', value: 'x,y,w,h', multiple: true, help: 'blur this area, as fractions of the frame' },
    caption: { type: 'string', value: 'TEXT', help: 'caption sent with the clip' },
    request: { type: 'string', value: 'ID', help: 'answer this request for assistance' },
    send: { type: 'boolean', help: 'approve and send in one step: consent without previewing the export' },
    tracks: { type: 'string', value: 'IDS', help: 'face tracks to blur frame by frame, e.g. 1,3, or none (default: every suggested track)' },
    'confirm-faces': { type: 'boolean', help: 'send although the face check still found faces in the export (recorded in the ledger)' },
  },
  subcommands: [
    { name: 'list', summary: 'list clips, newest first, with their share', flags: ['status', 'limit'] },
    { name: 'approve', args: 'ID', summary: 'prepare a pending clip for sharing: the daemon makes the redacted export for you to preview', flags: ['keep-audio', 'trim', 'blur', 'tracks', 'caption', 'request', 'send'] },
    { name: 'send', args: 'ID', summary: "send a prepared (ready) share: records your consent naming the export's SHA-256 and queues the upload", flags: ['confirm-faces'] },
    { name: 'analyse', args: 'ID', summary: 'analyse a clip now on this device (labels and face tracks) and print the result' },
    { name: 'cancel', args: 'ID', summary: 'withdraw: before send nothing is recorded; after send and before any byte left, a `withdrawn` entry; once bytes left, a revocation' },
    { name: 'reject', args: 'ID', summary: 'reject a pending clip (retention deletes its file)' },
    { name: 'delete', args: 'ID', summary: 'delete a clip and its files (ledger entries are kept)' },
    { name: 'retry', args: 'ID', summary: "retry the clip's failed share (export or upload)" },
  ],
  run: (argv, io) => clips(argv, io),
} as const satisfies CommandSpec;

/** `clipgate clips list|approve|send|cancel|reject|delete|retry`: headless review. */
export async function clips(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parse(argv, clipsCommand.flags);
  const [action, id, ...extra] = positionals;
  if (extra.length > 0) throw new UsageError(`unexpected argument ${extra[0]}`);
  if (!ACTIONS.includes(action as Action)) {
    throw new UsageError('clips list [--status S] | approve ID [options] [--send] | send ID [--confirm-faces] | cancel ID | reject ID | delete ID | retry ID | analyse ID');
  }
  if (values.send && action !== 'approve') throw new UsageError('--send goes with clips approve');
  if (values['confirm-faces'] && action !== 'send') throw new UsageError('--confirm-faces goes with clips send');
  if (action !== 'list' && !id) throw new UsageError(`clips ${action} ID`);
  const status = values.status as ClipStatus | undefined;
  if (status !== undefined && !STATUSES.includes(status)) throw new UsageError(`--status must be one of ${STATUSES.join(', ')}`);
  const limit = Number(values.limit);
  if (!Number.isInteger(limit) || limit < 1) throw new UsageError('--limit must be a positive integer');
  const input: ApproveInput = { stripAudio: !values['keep-audio'] };
  if (values.trim !== undefined) input.trim = parseTrim(values.trim);
  if (values.blur) input.blur = values.blur.map(parseRegion);
  if (values.caption !== undefined) input.caption = values.caption;
  if (values.request !== undefined) input.requestId = values.request;
  if (values.tracks !== undefined) input.tracks = parseTracks(values.tracks);

  const loaded = loadConfigForCommand(values.config, io);
  if (!loaded.ok) return 1;
  return withCoreAsync(loaded.config, async (core) => {
    if (action === 'list') return list(core.repos, io, status, limit);
    if (action === 'analyse') return analyse(core, id ?? '', io);
    // The review service records each decision in one transaction; the daemon's export worker
    // (which polls for shares in `exporting`) exports, and its uploader (which polls for queued
    // shares and for withdrawals asked for here) sends: now if it is running, else when it starts.
    const { review, ledger } = createReview(core);
    try {
      return await act(action as Exclude<Action, 'list' | 'analyse'>, id ?? '', { input, send: values.send === true, confirmFaces: values['confirm-faces'] === true }, { core, review, ledger }, io);
    } catch (err) {
      if (!isAppError(err)) throw err;
      io.err(`clipgate: ${err.code}: ${err.message}`);
      return 1;
    }
  });
}

interface Services {
  core: Core;
  review: ReviewService;
  ledger: ReturnType<typeof createReview>['ledger'];
}

/** A share named by its clip's id (as every `clips` action takes a clip id) or by its own id. */
function shareOf(repos: Repos, id: string): ShareRecord {
  const share = repos.shares.getByClip(id) ?? repos.shares.get(id);
  if (!share) throw new AppError('SHARE_NOT_FOUND', `clip ${id} has no share`);
  return share;
}

async function act(action: Exclude<Action, 'list' | 'analyse'>, id: string, opts: { input: ApproveInput; send: boolean; confirmFaces: boolean }, s: Services, io: Io): Promise<number> {
  const { review } = s;
  const repos = s.core.repos;
  switch (action) {
    case 'approve': {
      const share = review.approve(id, opts.input, { send: opts.send });
      io.out(`clip ${id} approved; share ${share.id} is ${share.status}`);
      const preview = s.core.config.review.preview && !opts.send;
      io.out(preview
        ? `the running clipgate daemon exports it within a few seconds; watch the export in the web UI, then send it (clipgate clips send ${id}) or cancel it`
        : 'the running clipgate daemon exports it within a few seconds and sends it as soon as the export is done');
      return 0;
    }
    case 'send': {
      const share = review.send(shareOf(repos, id).id, { confirmFaces: opts.confirmFaces });
      io.out(`share ${share.id} sent: consent recorded for export SHA-256 ${share.sha256 ?? '?'}; the daemon uploads it`);
      return 0;
    }
    case 'cancel':
      return cancel(s, shareOf(repos, id), io);
    case 'reject': {
      const clip = review.reject(id);
      io.out(`clip ${clip.id} rejected`);
      return 0;
    }
    case 'delete':
      review.delete(id);
      io.out(`clip ${id} deleted (its ledger entries are kept)`);
      return 0;
    case 'retry': {
      const share = repos.shares.getByClip(id);
      if (!share) {
        io.err(`clipgate: SHARE_NOT_FOUND: clip ${id} has no share`);
        return 1;
      }
      const again = review.retry(share.id);
      io.out(`share ${share.id} queued for ${again.status === 'exporting' ? 'export' : 'upload'} again`);
      return 0;
    }
  }
}

/** Withdraw; a share the daemon may be uploading is asked for, and the outcome awaited. */
async function cancel(s: Services, rec: ShareRecord, io: Io): Promise<number> {
  const { core, ledger } = s;
  const shares = new ShareService({
    db: core.db, repos: core.repos, bus: core.bus, clock: core.clock, log: core.log, ledger, dataDir: core.paths.dataDir,
    uploadsElsewhere: core.config.platform !== undefined || core.demo,
  });
  let share: Share = await shares.cancel(rec.id);
  const deadline = Date.now() + CANCEL_WAIT_MS;
  while (inUploadQueue(share.status) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 250));
    share = shares.get(rec.id) ?? share;
  }
  if (inUploadQueue(share.status)) {
    io.out(`share ${share.id}: withdrawal requested; it will not be uploaded further, and the clipgate daemon completes the withdrawal when it runs`);
    return 0;
  }
  const entries = core.repos.ledger.forShare(share.id);
  const last = entries.at(-1)?.action;
  const what = share.status === 'revoked' ? 'revoked (bytes had reached the platform; it was asked to delete them)'
    : last === 'withdrawn' ? 'withdrawn before the platform received a byte (ledger: withdrawn)'
      : share.status === 'cancelled' ? 'cancelled before it was sent; nothing was recorded or sent'
        : share.status;
  io.out(`share ${share.id} ${what}`);
  return share.status === 'failed' ? 1 : 0;
}

/** `clips analyse ID`: this process's own analysis worker, one clip, its labels and face tracks printed. */
async function analyse(core: Core, id: string, io: Io): Promise<number> {
  const analysis = createAnalysis(core);
  try {
    const view = await analysis.analyseNow(id);
    const labels = Object.entries(view.labels).map(([l, s]) => `${l} ${s.toFixed(2)}`).join(', ') || 'none';
    io.out(`clip ${id} analysed: labels ${labels}; ${view.tracks.length} face ${view.tracks.length === 1 ? 'track' : 'tracks'}`);
    for (const t of view.tracks) io.out(`  face track ${t.id}: ${t.start.toFixed(1)}–${t.end.toFixed(1)} s, best score ${t.scoreMax.toFixed(2)}`);
    if (view.tracks.length > 0) io.out(`approve with all of them blurred (the default), or choose: clipgate clips approve ${id} --tracks ${view.tracks.map((t) => t.id).join(',')}`);
    return 0;
  } catch (err) {
    if (!isAppError(err)) throw err;
    io.err(`clipgate: ${err.code}: ${err.message}`);
    return 1;
  } finally {
    await analysis.stop();
  }
}

function list(repos: Repos, io: Io, status: ClipStatus | undefined, limit: number): number {
  const page = repos.clips.list({ status, limit });
  if (page.items.length === 0) {
    io.out(status ? `no ${status} clips` : 'no clips');
    return 0;
  }
  io.out(['ID', 'CAMERA', 'STATUS', 'TRIGGER', 'STARTED', 'SECONDS', 'SHARE'].join('\t'));
  for (const c of page.items) {
    const share = c.status === 'approved' ? repos.shares.getByClip(c.id) : undefined;
    const shareText = share ? `${share.id} ${share.status}${share.error ? ` (${share.error})` : ''}` : '-';
    io.out([c.id, c.cameraId, c.status, c.trigger, c.startedAt, (c.durationMs / 1000).toFixed(1), shareText].join('\t'));
  }
  if (page.nextCursor) io.out(`… more clips; raise --limit (now ${limit})`);
  return 0;
}
