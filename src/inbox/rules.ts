import path from 'node:path';

/** Where refused inbox entries go, inside the inbox itself, so the owner finds them next to the drops. */
export const REJECTED_DIR = '.rejected';

/** Largest file ingested by default: a camera clip is minutes long; anything bigger is a mistake or an attack. */
export const DEFAULT_MAX_INBOX_BYTES = 2 * 1024 ** 3;

/** Containers that ffmpeg can stream-copy into mp4 for the H.264/H.265 + AAC most cameras produce. */
export const SUPPORTED_EXTENSIONS = new Set(['.mp4', '.m4v', '.mkv', '.avi', '.ts', '.mov']);

/**
 * Names an uploader is still writing: FTP/SMB clients and browsers upload under a temporary name
 * and rename when done, so these are left alone until they are renamed into a real name.
 */
const IN_PROGRESS_SUFFIXES = ['.part', '.partial', '.filepart', '.crdownload', '.tmp', '.temp', '.uploading', '~'];

export type RejectCode =
  | 'duplicate'
  | 'not-a-video'
  | 'unsupported-type'
  | 'symlink'
  | 'directory'
  | 'special-file'
  | 'too-large'
  | 'empty'
  | 'remux-failed'
  /** Our side kept failing on it (not disk full) after several tries; kept for the owner to look at. */
  | 'ingest-failed';

export class InboxRejection extends Error {
  constructor(
    readonly code: RejectCode,
    detail: string,
  ) {
    super(detail);
    this.name = 'InboxRejection';
  }
}

/** True for names the inbox must not touch at all: hidden files, our own folder, uploads in progress. */
export function isIgnoredName(name: string): boolean {
  if (name === '' || name.startsWith('.')) return true;
  const lower = name.toLowerCase();
  return IN_PROGRESS_SUFFIXES.some((s) => lower.endsWith(s));
}

/** True when `file` is inside `inboxDir` (directly or deeper) and none of its parts is ignored. */
export function isWatchable(inboxDir: string, file: string): boolean {
  const rel = path.relative(inboxDir, file);
  if (rel === '') return true;
  if (rel.startsWith('..') || path.isAbsolute(rel)) return false;
  return rel.split(path.sep).every((part) => !isIgnoredName(part));
}

export interface EntryFacts {
  name: string;
  isFile: boolean;
  isDirectory: boolean;
  isSymbolicLink: boolean;
  size: number;
}

/**
 * The checks that need only lstat: what kind of entry it is, its extension and its size. A
 * rejection here is final; a pass still needs stability and ffprobe.
 */
export function checkEntry(facts: EntryFacts, maxBytes: number): InboxRejection | undefined {
  if (facts.isSymbolicLink) return new InboxRejection('symlink', 'symbolic links are not followed (a link could point anywhere on the system)');
  if (facts.isDirectory) return new InboxRejection('directory', 'folders are not ingested; drop the video files themselves');
  if (!facts.isFile) return new InboxRejection('special-file', 'not a regular file');
  const ext = path.extname(facts.name).toLowerCase();
  if (!SUPPORTED_EXTENSIONS.has(ext)) {
    return new InboxRejection('unsupported-type', `extension "${ext || '(none)'}" is not one of ${[...SUPPORTED_EXTENSIONS].join(', ')}`);
  }
  if (facts.size > maxBytes) return new InboxRejection('too-large', `${facts.size} bytes is over the ${maxBytes}-byte limit`);
  return undefined;
}

/** mp4 (and m4v) go into the store as they are; every other container is remuxed first. */
export function needsRemux(name: string): boolean {
  const ext = path.extname(name).toLowerCase();
  return ext !== '.mp4' && ext !== '.m4v';
}
