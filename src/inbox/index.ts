import path from 'node:path';
import type { Core } from '../core/core.js';
import type { ClipStore } from '../clips/store.js';
import { probeDescriptor } from '../media/probe.js';
import type { InboxTuning } from './ingest.js';
import { ALLOWED_DEMUXERS } from './rules.js';
import { InboxService } from './service.js';

export { InboxService, DEFAULT_TUNING, type InboxCamera } from './service.js';
export { parseFilenameTime, clipStartTime } from './filename-time.js';
export { REJECTED_DIR, DEFAULT_MAX_INBOX_BYTES, SUPPORTED_EXTENSIONS, ALLOWED_DEMUXERS, type RejectCode } from './rules.js';

/** The inbox service for every camera with an `inbox` folder, or undefined when none has one. */
export function createInbox(core: Core, store: Pick<ClipStore, 'addFromFile'>, opts: { tuning?: Partial<InboxTuning>; rescanMs?: number } = {}): InboxService | undefined {
  const cameras = core.config.cameras.flatMap((c) => (c.inbox ? [{ id: c.id, inbox: path.resolve(c.inbox.path), settleMs: c.inbox.settleSeconds * 1000 }] : []));
  if (cameras.length === 0) return undefined;
  return new InboxService({
    log: core.log.child({ module: 'inbox' }),
    clock: core.clock,
    bus: core.bus,
    problems: core.problems,
    store,
    clips: core.repos.clips,
    probe: (fd, signal) => probeDescriptor(fd, ALLOWED_DEMUXERS, signal ? { signal } : {}),
    // Same file system as the clip store, so staging links and renames stay cheap and atomic.
    stagingDir: path.join(core.paths.tmp, 'inbox'),
    cameras,
    ...opts,
  });
}
