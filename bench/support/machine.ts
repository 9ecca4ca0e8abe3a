import os from 'node:os';

/** The machine a run happened on, for the figures' heading. */
export interface MachineInfo {
  date: string;
  cores: number;
  cpu: string;
  memoryGiB: number;
  node: string;
  os: string;
  /** One-minute load average: above the core count, other processes were competing for the CPU. */
  loadAverage: number;
}

export function describeMachine(): MachineInfo {
  return {
    date: new Date().toISOString().slice(0, 10),
    cores: os.availableParallelism(),
    cpu: os.cpus()[0]?.model.trim() ?? 'unknown CPU',
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    loadAverage: os.loadavg()[0]!,
  };
}
