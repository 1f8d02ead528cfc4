import type { Io } from './context.js';

/**
 * What a command accepts, declared once: the parser reads its flags from here and `--help`
 * prints them from here, so a flag cannot exist without being listed.
 */
export interface FlagSpec {
  type: 'string' | 'boolean';
  /** Placeholder in help and usage lines (FILE, S, HOST ...); string flags only. */
  value?: string;
  multiple?: boolean;
  default?: string | boolean;
  help: string;
}

export type Flags = Record<string, FlagSpec>;

export interface SubcommandSpec {
  name: string;
  /** Positional arguments, as shown in usage (`NAME`, `ID`). */
  args?: string;
  summary: string;
  /** The command's flags this subcommand reads (besides --config). */
  flags?: string[];
}

export interface CommandSpec {
  name: string;
  summary: string;
  /** Positional arguments of a command without subcommands. */
  args?: string;
  flags: Flags;
  subcommands?: SubcommandSpec[];
  /** Extra lines at the end of `--help` (environment variables, notes). */
  notes?: string[];
  run(argv: string[], io: Io): number | Promise<number>;
}

/** Every command reads the config (for its data folder), so every command takes --config. */
export const CONFIG_FLAG = {
  config: { type: 'string', value: 'FILE', help: 'config file (default config/clipgate.yml, or $CLIPGATE_CONFIG)' },
} as const satisfies Flags;

function flagUsage(name: string, f: FlagSpec): string {
  const text = f.type === 'boolean' ? `--${name}` : `--${name} ${f.value ?? 'VALUE'}`;
  return `[${text}]${f.multiple ? '...' : ''}`;
}

const HELP_FLAG: [string, FlagSpec] = ['help', { type: 'boolean', help: 'show this help' }];

function flagLines(declared: [string, FlagSpec][]): string[] {
  const flags = [...declared, HELP_FLAG];
  const left = flags.map(([name, f]) => (f.type === 'boolean' ? `--${name}` : `--${name} ${f.value ?? 'VALUE'}`));
  const width = Math.max(...left.map((l) => l.length));
  return flags.map(([, f], i) => {
    const def = f.default !== undefined && f.default !== false ? ` (default ${String(f.default)})` : '';
    const many = f.multiple ? ' (repeatable)' : '';
    return `  ${(left[i] ?? '').padEnd(width)}  ${f.help}${def}${many}`;
  });
}

/** Flags named by a subcommand, in the command's order, with --config first. */
function subFlags(spec: CommandSpec, sub: SubcommandSpec): [string, FlagSpec][] {
  const names = new Set(['config', ...(sub.flags ?? [])]);
  return Object.entries(spec.flags).filter(([name]) => names.has(name));
}

/** One usage line per command (for `clipgate --help`), flags included. */
export function usageLine(spec: CommandSpec): string {
  if (spec.subcommands) {
    const subs = spec.subcommands.map((s) => [s.name, s.args, ...subFlags(spec, s).filter(([n]) => n !== 'config').map(([n, f]) => flagUsage(n, f))].filter(Boolean).join(' '));
    return `${spec.name} ${subs.join(' | ')}`;
  }
  const flags = Object.entries(spec.flags).filter(([n]) => n !== 'config').map(([n, f]) => flagUsage(n, f));
  return [spec.name, spec.args, ...flags].filter(Boolean).join(' ');
}

/** `clipgate <command> --help`. */
export function commandHelp(spec: CommandSpec): string {
  const lines = [`usage: clipgate ${usageLine(spec)}${'config' in spec.flags ? ' [--config FILE]' : ''}`, '', spec.summary];
  if (spec.subcommands) {
    const width = Math.max(...spec.subcommands.map((s) => [s.name, s.args].filter(Boolean).join(' ').length));
    lines.push('', 'commands:');
    for (const s of spec.subcommands) lines.push(`  ${[s.name, s.args].filter(Boolean).join(' ').padEnd(width)}  ${s.summary}`);
    lines.push('', `\`clipgate ${spec.name} <command> --help\` shows one command's options.`);
  }
  lines.push('', 'options:', ...flagLines(Object.entries(spec.flags)));
  if (spec.notes) lines.push('', ...spec.notes);
  return lines.join('\n');
}

/** `clipgate <command> <subcommand> --help`. */
export function subcommandHelp(spec: CommandSpec, sub: SubcommandSpec): string {
  const flags = subFlags(spec, sub);
  const usage = [`clipgate ${spec.name} ${sub.name}`, sub.args, ...flags.map(([n, f]) => flagUsage(n, f))].filter(Boolean).join(' ');
  return [`usage: ${usage}`, '', sub.summary, '', 'options:', ...flagLines(flags)].join('\n');
}
