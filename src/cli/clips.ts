import { isAppError } from '../core/errors.js';
import type { ApproveInput, ReviewControl } from '../core/ports.js';
import type { ClipStatus, Region } from '../core/types.js';
import type { Repos } from '../db/index.js';
import { createReview } from '../review/index.js';
import { parse, UsageError } from './args.js';
import { loadConfigForCommand, type Io } from './context.js';
import { withCore } from './db-command.js';
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

export const clipsCommand = {
  name: 'clips',
  summary: 'Headless review: list clips, approve one for sharing (the running daemon exports and uploads it), reject, delete or retry.',
  flags: {
    ...CONFIG_FLAG,
    status: { type: 'string', value: 'S', help: 'only clips with this status: pending, approved or rejected' },
    limit: { type: 'string', value: 'N', help: 'at most N clips, newest first', default: '100' },
    'keep-audio': { type: 'boolean', help: 'keep the audio track in the export (stripped by default)' },
    trim: { type: 'string', value: 'START:END', help: 'share only this part, in seconds (e.g. 2:9.5)' },
    blur: { type: 'string', value: 'x,y,w,h', multiple: true, help: 'blur this area, as fractions of the frame' },
    caption: { type: 'string', value: 'TEXT', help: 'caption sent with the clip' },
    request: { type: 'string', value: 'ID', help: 'answer this request for assistance' },
  },
  subcommands: [
    { name: 'list', summary: 'list clips, newest first, with their share', flags: ['status', 'limit'] },
    { name: 'approve', args: 'ID', summary: 'approve a pending clip for sharing', flags: ['keep-audio', 'trim', 'blur', 'caption', 'request'] },
    { name: 'reject', args: 'ID', summary: 'reject a pending clip (retention deletes its file)' },
    { name: 'delete', args: 'ID', summary: 'delete a clip and its files (ledger entries are kept)' },
    { name: 'retry', args: 'ID', summary: "retry the clip's failed share (export or upload)" },
  ],
  run: (argv, io) => clips(argv, io),
} as const satisfies CommandSpec;

/** `clipgate clips list|approve|reject|delete|retry`: headless review. */
export function clips(argv: string[], io: Io): number {
  const { values, positionals } = parse(argv, clipsCommand.flags);
  const [action, id, ...extra] = positionals;
  if (extra.length > 0) throw new UsageError(`unexpected argument ${extra[0]}`);
  if (action !== 'list' && action !== 'approve' && action !== 'reject' && action !== 'delete' && action !== 'retry') {
    throw new UsageError('clips list [--status S] | approve ID [options] | reject ID | delete ID | retry ID');
  }
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

  const loaded = loadConfigForCommand(values.config, io);
  if (!loaded.ok) return 1;
  return withCore(loaded.config, (core) => {
    if (action === 'list') return list(core.repos, io, status, limit);
    // The review service records the decision (clip state, share in `exporting`, ledger entry) in
    // one transaction; the daemon's export worker, which polls for shares in `exporting`, runs the
    // export: now if it is running, else when it starts.
    const { review } = createReview(core);
    try {
      return act(action, id ?? '', input, review, core.repos, io);
    } catch (err) {
      if (!isAppError(err)) throw err;
      io.err(`clipgate: ${err.code}: ${err.message}`);
      return 1;
    }
  });
}

function act(action: 'approve' | 'reject' | 'delete' | 'retry', id: string, input: ApproveInput, review: ReviewControl, repos: Repos, io: Io): number {
  switch (action) {
    case 'approve': {
      const share = review.approve(id, input);
      io.out(`clip ${id} approved; share ${share.id} is ${share.status}`);
      io.out('the running clipgate daemon exports it within a few seconds (or when it next starts)');
      return 0;
    }
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
