import { z } from 'zod';
import { AppError } from '../core/errors.js';
import { cleanMultiline } from '../core/text.js';
import type { ApproveInput } from '../core/ports.js';
import type { Region, ShareOptions } from '../core/types.js';

/** Longest caption sent to the platform. */
export const MAX_CAPTION = 500;
/** A trim shorter than this is treated as empty (it would hold a frame or two at most). */
export const MIN_TRIM_MS = 100;
/** Regions per approval (request + privacy masks); each adds a branch to the filter graph. */
export const MAX_REGIONS = 32;
/** Face tracks per approval (each adds a moving box to the filter graph). */
export const MAX_TRACKS = 64;

const EPS = 1e-6;

const region = z
  .strictObject({
    x: z.number().finite().min(0).max(1),
    y: z.number().finite().min(0).max(1),
    width: z.number().finite().gt(0).max(1),
    height: z.number().finite().gt(0).max(1),
  })
  .refine((r) => r.x + r.width <= 1 + EPS && r.y + r.height <= 1 + EPS, { message: 'region extends past the frame' });

const approveSchema = z.strictObject({
  stripAudio: z.boolean().optional(),
  trim: z.strictObject({ startMs: z.number().int().min(0), endMs: z.number().int().min(0) }).optional(),
  blur: z.array(region).max(MAX_REGIONS).optional(),
  // Bidi and control characters are stripped (tab and newline kept) so a caption cannot read differently or smuggle escapes.
  caption: z.string().max(MAX_CAPTION).overwrite(cleanMultiline).optional(),
  requestId: z.string().min(1).max(200).regex(/^[\w.:-]+$/, 'only letters, digits and . _ : - are allowed').optional(),
  tracks: z.array(z.number().int().positive()).max(MAX_TRACKS).optional(),
});

/** The clip's analysis as approval needs it: when it was made and its face track ids. */
export interface AnalysisRef {
  analysedAt: string;
  trackIds: number[];
}

/** What is stored in shares.options_json and in the ledger: the effective options and where the regions came from. */
export interface StoredOptions extends ShareOptions {
  /** The camera's configured privacy masks, included in `blur`. */
  privacyMasks: Region[];
}

function invalid(message: string): AppError {
  return new AppError('INVALID_OPTIONS', message);
}

/**
 * Validate an approval against the clip and merge in the camera's privacy masks (always
 * applied, even when the request asks for no blur). Throws AppError INVALID_OPTIONS.
 */
export function resolveOptions(input: ApproveInput, clip: { durationMs: number }, privacyMasks: Region[], analysis: AnalysisRef | null = null): StoredOptions {
  const parsed = approveSchema.safeParse(input ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue?.path.length ? `${issue.path.join('.')}: ` : '';
    throw invalid(`${where}${issue?.message ?? 'invalid approval options'}`);
  }
  const o = parsed.data;
  if (o.trim) {
    if (o.trim.endMs <= o.trim.startMs) throw invalid('trim: the end must come after the start');
    if (o.trim.endMs - o.trim.startMs < MIN_TRIM_MS) throw invalid(`trim: the window must be at least ${MIN_TRIM_MS} ms`);
    if (o.trim.endMs > clip.durationMs) throw invalid(`trim: the window ends after the clip (${clip.durationMs} ms)`);
  }
  const requested = o.blur ?? [];
  const blur = dedupe([...requested, ...privacyMasks]);
  if (blur.length > MAX_REGIONS) throw invalid(`blur: at most ${MAX_REGIONS} regions including the camera's privacy masks`);
  const out: StoredOptions = { stripAudio: o.stripAudio ?? true, blur, privacyMasks };
  if (o.trim) out.trim = { startMs: o.trim.startMs, endMs: o.trim.endMs };
  if (o.caption !== undefined && o.caption.trim() !== '') out.caption = o.caption;
  if (o.requestId !== undefined) out.requestId = o.requestId;
  const faces = resolveTracks(o.tracks, analysis);
  if (faces) out.faces = faces;
  return out;
}

/** Accepted face tracks: the ids asked for (each must be one of the analysis's), or all of them when none were named. */
function resolveTracks(asked: number[] | undefined, analysis: AnalysisRef | null): StoredOptions['faces'] {
  if (!analysis) {
    if (asked && asked.length > 0) throw invalid('tracks: this clip has no analysis (yet), so it has no face tracks; blur areas by hand');
    return undefined;
  }
  if (analysis.trackIds.length === 0 && (!asked || asked.length === 0)) return undefined;
  const known = new Set(analysis.trackIds);
  const unknown = (asked ?? []).filter((id) => !known.has(id));
  if (unknown.length > 0) throw invalid(`tracks: no face track ${unknown.join(', ')} in this clip's analysis`);
  const tracks = asked ? [...new Set(asked)].sort((a, b) => a - b) : [...analysis.trackIds];
  return { tracks, suggested: analysis.trackIds.length, analysedAt: analysis.analysedAt };
}

function dedupe(regions: Region[]): Region[] {
  const seen = new Set<string>();
  const out: Region[] = [];
  for (const r of regions) {
    const clean = { x: r.x, y: r.y, width: r.width, height: r.height };
    const key = JSON.stringify(clean);
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(clean);
  }
  return out;
}

/** The ShareOptions view of a stored options_json (what the API shows and the exporter applies). */
export function parseStoredOptions(json: string): StoredOptions {
  const o = JSON.parse(json) as Partial<StoredOptions>;
  const out: StoredOptions = { stripAudio: o.stripAudio !== false, blur: o.blur ?? [], privacyMasks: o.privacyMasks ?? [] };
  if (o.trim) out.trim = o.trim;
  if (o.caption !== undefined) out.caption = o.caption;
  if (o.requestId !== undefined) out.requestId = o.requestId;
  if (o.faces && Array.isArray(o.faces.tracks)) out.faces = { tracks: o.faces.tracks, suggested: o.faces.suggested, analysedAt: o.faces.analysedAt };
  return out;
}

export function toShareOptions(o: StoredOptions): ShareOptions {
  const out: ShareOptions = { stripAudio: o.stripAudio, blur: o.blur };
  if (o.trim) out.trim = o.trim;
  if (o.caption !== undefined) out.caption = o.caption;
  if (o.requestId !== undefined) out.requestId = o.requestId;
  if (o.faces) out.faces = { tracks: [...o.faces.tracks], suggested: o.faces.suggested, analysedAt: o.faces.analysedAt };
  return out;
}
