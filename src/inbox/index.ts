import path from 'node:path';
import type { Core } from '../core/core.js';
import type { ClipStore } from '../clips/store.js';
import { probeFile } from '../media/probe.js';
import type { InboxTuning } from './ingest.js';
import { InboxService } from './service.js';

export { InboxService, DEFAULT_TUNING, type InboxCamera } from './service.js';
export { parseFilenameTime, clipStartTime } from './filename-time.js';
export { REJECTED_DIR, DEFAULT_MAX_INBOX_BYTES, SUPPORTED_EXTENSIONS, type RejectCode } from './rules.js';

/** The inbox service for every camera with an `inbox` folder, or undefined when none has one. */
export function createInbox(core: Core, store: Pick<ClipStore, 'addFromFile'>, opts: { tuning?: Partial<InboxTuning>; rescanMs?: number } = {}): InboxService | undefined {
  const cameras = core.config.cameras.flatMap((c) => (c.inbox ? [{ id: c.id, inbox: path.resolve(c.inbox) }] : []));
  if (cameras.length === 0) return undefined;
  return new InboxService({
    log: core.log.child({ module: 'inbox' }),
    clock: core.clock,
    bus: core.bus,
    problems: core.problems,
    store,
    clips: core.repos.clips,
    probe: (file, signal) => probeFile(file, { signal }),
    // Same file system as the clip store, so staging links and renames stay cheap and atomic.
    stagingDir: path.join(core.paths.tmp, 'inbox'),
    cameras,
    ...opts,
  });
}
