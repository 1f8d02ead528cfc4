/**
 * Recognises the text formats ffmpeg would happily follow to other files: HLS playlists, concat
 * and ffconcat lists, DASH manifests. Only for a clear refusal reason: what actually keeps ffmpeg
 * from reading them is the demuxer allow-list (rules.ts ALLOWED_DEMUXERS), which refuses these
 * and any format not listed whatever the first bytes say.
 */

/** How many bytes of a drop are looked at. */
export const SNIFF_BYTES = 4096;

const PATTERNS: [RegExp, string][] = [
  [/^#EXTM3U/, 'an HLS playlist (#EXTM3U)'],
  [/^#EXT-X-|^#EXTINF:/m, 'an HLS playlist (#EXT tags)'],
  [/^ffconcat\s+version/, 'an ffconcat list'],
  [/^\s*file\s+\S/m, 'a concat list (file lines)'],
  [/<MPD[\s>]/, 'a DASH manifest (<MPD>)'],
  [/<smil[\s>]/i, 'a SMIL playlist'],
];

/** A description of the playlist `head` starts, or undefined when it is not one of the known kinds. */
export function playlistKind(head: Buffer): string | undefined {
  // Video containers start with binary headers; playlists are text (a UTF-8 BOM and blank lines allowed).
  if (head.includes(0)) return undefined;
  const text = head.toString('latin1').replace(/^\xef\xbb\xbf/, '').replace(/^\s+/, '');
  return PATTERNS.find(([re]) => re.test(text))?.[1];
}
