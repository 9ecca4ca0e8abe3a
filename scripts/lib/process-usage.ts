import { readdirSync, readFileSync } from 'node:fs';

/** Memory of one process, from /proc/<pid>/status, in KiB. */
interface Sample {
  rss: number;
  hwm: number;
}

function readStatus(pid: number): Sample | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const field = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0);
    return { rss: field('VmRSS'), hwm: field('VmHWM') };
  } catch {
    return undefined; // exited between listing and reading
  }
}

function openFileCount(pid: number): number {
  try {
    return readdirSync(`/proc/${pid}/fd`).length;
  } catch {
    return 0;
  }
}

/** The soft limit on open files of a process (`Max open files`), or undefined. */
export function openFileLimit(pid: number): number | undefined {
  try {
    const limits = readFileSync(`/proc/${pid}/limits`, 'utf8');
    const soft = /^Max open files\s+(\S+)/m.exec(limits)?.[1];
    return soft === undefined || soft === 'unlimited' ? undefined : Number(soft);
  } catch {
    return undefined;
  }
}

/** CPU time (user + system) used so far by `pid`, in ms (from /proc/<pid>/stat, at 100 ticks a second). */
export function cpuTimeMs(pid: number): number {
  try {
    // Fields after the parenthesised command name; utime and stime are the 14th and 15th fields.
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return Number.NaN;
  }
}

/** CPU time used so far by `pid` and its descendants, in ms. */
export function treeCpuTimeMs(pid: number): number {
  return processTree(pid).reduce((sum, member) => sum + (cpuTimeMs(member) || 0), 0);
}

/** `pid` and every descendant, from /proc/<pid>/task/<tid>/children. */
function processTree(pid: number): number[] {
  const tree = [pid];
  for (let i = 0; i < tree.length; i++) {
    try {
      for (const task of readdirSync(`/proc/${tree[i]}/task`)) {
        const children = readFileSync(`/proc/${tree[i]}/task/${task}/children`, 'utf8').trim();
        if (children) tree.push(...children.split(/\s+/).map(Number));
      }
    } catch {
      // gone
    }
  }
  return tree;
}

export interface MemoryPeak {
  /** Highest VmRSS summed over the process tree at one sample, KiB. */
  treeRssKiB: number;
  /** Highest VmHWM (the kernel's own peak RSS) of any single process in the tree, KiB. */
  maxHwmKiB: number;
  /** Most open file descriptors summed over the tree at one sample. */
  openFiles: number;
  /** How many processes the tree had at most (next start may run the server in a child). */
  processes: number;
  samples: number;
}

/** Samples the memory of `pid`'s process tree every `intervalMs` until stopped. */
export function sampleMemory(pid: number, intervalMs = 100): { stop(): MemoryPeak } {
  const peak: MemoryPeak = { treeRssKiB: 0, maxHwmKiB: 0, openFiles: 0, processes: 0, samples: 0 };
  const take = () => {
    const tree = processTree(pid);
    let rss = 0;
    let files = 0;
    for (const member of tree) {
      const sample = readStatus(member);
      if (!sample) continue;
      rss += sample.rss;
      files += openFileCount(member);
      peak.maxHwmKiB = Math.max(peak.maxHwmKiB, sample.hwm);
    }
    peak.treeRssKiB = Math.max(peak.treeRssKiB, rss);
    peak.openFiles = Math.max(peak.openFiles, files);
    peak.processes = Math.max(peak.processes, tree.length);
    peak.samples += 1;
  };
  take();
  const timer = setInterval(take, intervalMs);
  return {
    stop() {
      clearInterval(timer);
      take();
      return { ...peak };
    },
  };
}
