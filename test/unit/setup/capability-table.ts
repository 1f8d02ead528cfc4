// Reads the capability table out of scripts/setup.sh (the here-doc between `<<'TABLE'` and
// `TABLE`) and answers whether a capability the sources use is listed there.

export const KINDS = ['cmd', 'encoder', 'decoder', 'filter', 'muxer', 'demuxer', 'bsf', 'protocol', 'element', 'typelib', 'pymod'] as const;
export type Kind = (typeof KINDS)[number];

export interface Row {
  need: 'run' | 'dev';
  kind: Kind;
  /** Alternatives: any one of them is enough. */
  names: string[];
  pkg: string;
  line: number;
}

/** What a source file uses: `at` is `file:line`. */
export interface Use {
  kind: Kind;
  name: string;
  at: string;
}

function isKind(s: string): s is Kind {
  return (KINDS as readonly string[]).includes(s);
}

export function parseTable(setupSh: string): Row[] {
  const lines = setupSh.split('\n');
  const start = lines.findIndex((l) => l.includes("<<'TABLE'"));
  const end = lines.findIndex((l, i) => i > start && l.trim() === 'TABLE');
  if (start < 0 || end < 0) throw new Error("scripts/setup.sh has no <<'TABLE' ... TABLE here-doc");
  const rows: Row[] = [];
  for (let i = start + 1; i < end; i++) {
    const text = lines[i]!.trim();
    if (!text || text.startsWith('#')) continue;
    const [need = '', kind = '', names = '', pkg = ''] = text.split(/\s+/);
    if ((need !== 'run' && need !== 'dev') || !isKind(kind) || !names || !/^[a-z0-9][a-z0-9.+-]+$/.test(pkg)) {
      throw new Error(`scripts/setup.sh line ${i + 1}: not "need kind name package ...": ${text}`);
    }
    rows.push({ need, kind, names: names.split('|'), pkg, line: i + 1 });
  }
  return rows;
}

const basename = (p: string): string => p.slice(p.lastIndexOf('/') + 1);

/** A row covers a use of the same kind and name; a command by absolute path is also covered by its basename. */
export function covers(row: Row, use: Use): boolean {
  if (row.kind !== use.kind) return false;
  if (row.names.includes(use.name)) return true;
  return use.kind === 'cmd' && use.name.startsWith('/') && row.names.includes(basename(use.name));
}

/** The uses no row covers, each name once (with the first place it was seen). */
export function uncovered(uses: Use[], rows: Row[]): Use[] {
  const seen = new Set<string>();
  const out: Use[] = [];
  for (const u of uses) {
    const key = `${u.kind} ${u.name}`;
    if (seen.has(key) || rows.some((r) => covers(r, u))) continue;
    seen.add(key);
    out.push(u);
  }
  return out;
}
