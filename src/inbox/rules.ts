import path from 'node:path';

/** Where refused inbox entries go, inside the inbox itself, so the owner finds them next to the drops. */
export const REJECTED_DIR = '.rejected';

/** Largest file ingested by default: a camera clip is minutes long; anything bigger is a mistake or an attack. */
export const DEFAULT_MAX_INBOX_BYTES = 2 * 1024 ** 3;

/** Containers that ffmpeg can stream-copy into mp4 for the H.264/H.265 + AAC most cameras produce. */
export const SUPPORTED_EXTENSIONS = new Set(['.mp4', '.m4v', '.mkv', '.avi', '.ts', '.mov']);

/**
 * The only demuxers ffmpeg may use on a drop, whatever its name or first bytes: mp4/mov,
 * MPEG-TS, Matroska/WebM, AVI and raw H.264/H.265. None of them opens another file; playlists
 * and reference formats (hls, concat, dash, image sequences, lavfi) are refused by ffmpeg itself.
 */
export const ALLOWED_DEMUXERS = ['mov', 'mpegts', 'matroska', 'avi', 'h264', 'hevc'] as const;

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
  /** The file has more than one name: a hard link could bring in a file from anywhere. */
  | 'hard-link'
  /** An HLS/concat/DASH playlist: such files name other files, which are never read. */
  | 'playlist'
  /** A format ffmpeg recognised but that is not on the demuxer allow-list. */
  | 'unsupported-format'
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

/** The allow-listed demuxer a probe's format name belongs to (`mov,mp4,m4a,...` → `mov`), or undefined. */
export function allowedDemuxer(formatName: string): (typeof ALLOWED_DEMUXERS)[number] | undefined {
  const first = formatName.split(',')[0] ?? '';
  return ALLOWED_DEMUXERS.find((d) => d === first);
}

/**
 * mp4 (and m4v) that really are mp4 go into the store byte for byte; everything else (other
 * containers, or another container under an .mp4 name) is remuxed to mp4 first.
 */
export function needsRemux(name: string, formatName: string): boolean {
  const ext = path.extname(name).toLowerCase();
  return !((ext === '.mp4' || ext === '.m4v') && allowedDemuxer(formatName) === 'mov');
}

/** ffprobe's words when the content is a format outside the demuxer allow-list. */
export function isFormatRefusal(message: string): boolean {
  return /not on whitelist/i.test(message);
}
