// The one reader of /proc for tests, the soak and the benches: process tree, CPU, memory and
// open files, always by PID (never by process name). Every reader answers 0 / undefined for a
// process that is gone instead of throwing.
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';

/** Clock ticks per second of /proc/PID/stat times (USER_HZ, 100 on Linux). */
const TICKS_PER_SECOND = 100;

export interface ProcStat {
  ppid: number;
  /** Start time in clock ticks since boot; with the PID it identifies one process. */
  startTicks: number;
  comm: string;
  /** user + system CPU time so far, in seconds. */
  cpuSeconds: number;
}

/** The fields clipgate's tools use from /proc/PID/stat, or undefined when the process is gone. */
export function procStat(pid: number): ProcStat | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // comm may hold spaces and parentheses: the fields after it start at the LAST ')'.
    const close = text.lastIndexOf(')');
    const comm = text.slice(text.indexOf('(') + 1, close);
    const rest = text.slice(close + 2).split(' ');
    return { ppid: Number(rest[1]), startTicks: Number(rest[19]), comm, cpuSeconds: (Number(rest[11]) + Number(rest[12])) / TICKS_PER_SECOND };
  } catch {
    return undefined;
  }
}

/** user + system CPU seconds a process has used so far (0 once it is gone). */
export function cpuSeconds(pid: number): number {
  return procStat(pid)?.cpuSeconds ?? 0;
}

/** Direct children of every process, from the parent PID in each /proc/PID/stat. */
function childrenByParent(): Map<number, number[]> {
  const children = new Map<number, number[]>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const stat = procStat(Number(name));
    if (!stat) continue;
    const list = children.get(stat.ppid) ?? [];
    list.push(Number(name));
    children.set(stat.ppid, list);
  }
  return children;
}

/** The direct children of pid. */
export function childPids(pid: number): number[] {
  return childrenByParent().get(pid) ?? [];
}

/** Every descendant of pid (children, grandchildren, ...). */
export function descendantPids(pid: number): number[] {
  const children = childrenByParent();
  const out: number[] = [];
  const queue = [pid];
  while (queue.length > 0) {
    for (const c of children.get(queue.shift() ?? -1) ?? []) {
      out.push(c);
      queue.push(c);
    }
  }
  return out;
}

/** Open file descriptors of a process (entries in /proc/PID/fd), or 0 when it is gone. */
export function fdCount(pid: number): number {
  try {
    return readdirSync(`/proc/${pid}/fd`).length;
  } catch {
    return 0;
  }
}

/** What each open file descriptor of a process leads to (paths, `socket:[...]`, ...), or [] when it is gone. */
export function openFiles(pid: number): string[] {
  let fds: string[];
  try {
    fds = readdirSync(`/proc/${pid}/fd`);
  } catch {
    return [];
  }
  return fds.flatMap((fd) => {
    try {
      return [readlinkSync(`/proc/${pid}/fd/${fd}`)];
    } catch {
      return []; // closed between the listing and the read
    }
  });
}

/** Resident set size in bytes from /proc/PID/status, or 0 when it is gone. */
export function rssBytes(pid: number): number {
  try {
    const m = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}
