/**
 * CPU time used by this process and every process it started (the servers a bench suite runs,
 * and the children they forked), from /proc on Linux: user + system time of each live process,
 * plus the time of children it already reaped (PostgreSQL backends, sshd's per-connection
 * processes). Used to tell a run that waits from a run that is bounded by the machine's cores.
 */
import fs from 'node:fs';
import os from 'node:os';

/** Linux reports times in clock ticks; USER_HZ is 100 on every mainstream kernel config. */
const TICK_MS = 10;

interface ProcStat {
  pid: number;
  ppid: number;
  /** utime + stime + cutime + cstime, in ms. */
  cpuMs: number;
}

function readStat(pid: string): ProcStat | undefined {
  let text: string;
  try {
    text = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined; // exited meanwhile
  }
  // The command name (field 2) may hold spaces and parentheses: split after its last ')'.
  const rest = text.slice(text.lastIndexOf(')') + 2).split(' ');
  // rest[0] is field 3 (state): ppid is field 4, utime..cstime fields 14..17.
  const ppid = Number(rest[1]);
  const ticks = Number(rest[11]) + Number(rest[12]) + Number(rest[13]) + Number(rest[14]);
  return { pid: Number(pid), ppid, cpuMs: ticks * TICK_MS };
}

/** True where /proc can be read (Linux); elsewhere the CPU rows are left out. */
export function cpuTimeAvailable(): boolean {
  return readStat(String(process.pid)) !== undefined;
}

/** CPU ms of this process and all its descendants, live ones and reaped ones. */
export function treeCpuMs(root = process.pid): number {
  const stats: ProcStat[] = [];
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const s = readStat(name);
    if (s) stats.push(s);
  }
  const children = new Map<number, ProcStat[]>();
  for (const s of stats) children.set(s.ppid, [...(children.get(s.ppid) ?? []), s]);
  let total = 0;
  const self = stats.find((s) => s.pid === root);
  const stack = self ? [self] : [];
  while (stack.length) {
    const s = stack.pop()!;
    total += s.cpuMs;
    stack.push(...(children.get(s.pid) ?? []));
  }
  return total;
}

/** Busy and total CPU time of the whole machine (all processes, other users' too), in ms. */
export function machineCpuMs(): { busy: number; total: number } {
  const line = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0];
  const v = line.trim().split(/\s+/).slice(1).map(Number);
  // user nice system idle iowait irq softirq steal …
  const idle = v[3] + (v[4] ?? 0);
  const total = v.slice(0, 8).reduce((a, b) => a + b, 0);
  return { busy: (total - idle) * TICK_MS, total: total * TICK_MS };
}

export const cores = (): number => (typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length);
