import { readFile, rm, writeFile } from 'node:fs/promises';

/**
 * ffmpeg recorders outlive a daemon killed with SIGKILL: ffmpeg ignores SIGPIPE and does not
 * treat a failed segment-list write as fatal, so a recorder whose pipe is gone keeps writing.
 * systemd (KillMode=mixed) and Docker clean them up; a bare run does not. So each recorder
 * notes its ffmpeg's PID beside its ring folder, and the next start kills that PID — only after
 * checking /proc that it is still an ffmpeg writing into that very folder (PIDs are reused).
 */
export async function notePid(pidFile: string, pid: number | undefined): Promise<void> {
  if (pid === undefined) return;
  await writeFile(pidFile, `${pid}\n`);
}

export async function reapOrphan(pidFile: string, ringDir: string): Promise<number | undefined> {
  const text = await readFile(pidFile, 'utf8').catch(() => undefined);
  await rm(pidFile, { force: true });
  const pid = Number(text?.trim());
  if (!Number.isInteger(pid) || pid <= 1 || pid === process.pid) return undefined;
  const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
  const argv = cmdline.split('\0');
  const isOurs = /(^|\/)ffmpeg$/.test(argv[0] ?? '') && argv.some((a) => a.startsWith(ringDir + '/'));
  if (!isOurs) return undefined;
  try {
    process.kill(pid, 'SIGKILL');
    return pid;
  } catch {
    return undefined; // exited between the check and the kill
  }
}
