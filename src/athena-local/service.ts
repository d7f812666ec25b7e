/**
 * The local Athena as a background service shared by successive commands: one supervisor process
 * (src/athena-local/daemon.ts), leader of its own process group, runs moto and Trino as its
 * children and writes state.json once both answer. Commands find it through that file, keep it
 * alive by pinging it, and it stops itself after an idle timeout, on `--stop`, or when the process
 * it was started for (tests) is gone. Stopping kills the whole process group, so nothing is orphaned.
 */
import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { enginesDir, findEngines } from './engines.js';
import { httpAnswers, isAlive, logTail } from './processes.js';

export interface ServiceState {
  /** The supervisor's pid, which is also its process group id. */
  readonly pid: number;
  readonly controlUrl: string;
  /** moto: S3, SQS and Glue. */
  readonly awsEndpoint: string;
  readonly trinoUrl: string;
  readonly startedAt: string;
  /** Seconds from the supervisor's start until both servers answered. */
  readonly startupSeconds: number;
  readonly idleTimeoutSeconds: number;
  readonly stateDir: string;
}

export const DEFAULT_IDLE_TIMEOUT_SECONDS = 30 * 60;

/** SPARKIFY_LOCAL_ATHENA_DIR, or .engines/run at the repository root. */
export function defaultStateDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.SPARKIFY_LOCAL_ATHENA_DIR || join(enginesDir(env), 'run');
}

export const stateFile = (stateDir: string): string => join(stateDir, 'state.json');

/** The running service, pinged (which also resets its idle timer), or undefined. */
export async function connectLocalAthena(stateDir = defaultStateDir()): Promise<ServiceState | undefined> {
  const file = stateFile(stateDir);
  if (!existsSync(file)) return undefined;
  let state: ServiceState;
  try {
    state = JSON.parse(readFileSync(file, 'utf8')) as ServiceState;
  } catch {
    return undefined;
  }
  const answer = await httpAnswers(`${state.controlUrl}/ping`);
  if (answer?.ok) return state;
  // A supervisor that no longer answers: make sure none of its group survives, then forget it.
  killGroup(state.pid);
  rmSync(file, { force: true });
  return undefined;
}

export interface EnsureOptions {
  readonly stateDir?: string;
  readonly idleTimeoutSeconds?: number;
  /** Stop when this process is gone (test runs: no server outlives its runner). */
  readonly parentPid?: number;
  readonly heapMb?: number;
  /** Called once when a new service has to be started (it takes a minute or two). */
  readonly onStart?: () => void;
  readonly timeoutMs?: number;
}

/** The running service, or a new one started and waited for. Throws EnginesMissingError first. */
export async function ensureLocalAthena(options: EnsureOptions = {}): Promise<ServiceState> {
  const stateDir = options.stateDir ?? defaultStateDir();
  findEngines();
  const running = await connectLocalAthena(stateDir);
  if (running) return running;
  mkdirSync(stateDir, { recursive: true });

  // One starter at a time; another command that finds the lock waits for the state file.
  const lock = join(stateDir, 'start.lock');
  const deadline = Date.now() + (options.timeoutMs ?? 300_000);
  let owner = false;
  try {
    mkdirSync(lock);
    owner = true;
  } catch {
    const age = Date.now() - (statSync(lock, { throwIfNoEntry: false })?.mtimeMs ?? 0);
    if (age > 600_000) {
      rmSync(lock, { recursive: true, force: true });
      return ensureLocalAthena(options);
    }
  }
  try {
    let daemonPid: number | undefined;
    if (owner) {
      options.onStart?.();
      daemonPid = spawnDaemon(stateDir, options);
    }
    for (;;) {
      const state = await connectLocalAthena(stateDir);
      if (state) return state;
      if (daemonPid !== undefined && !isAlive(daemonPid)) {
        throw new Error(
          `the local Athena did not start; ${join(stateDir, 'daemon.log')}:\n${logTail(join(stateDir, 'daemon.log'), 40)}`,
        );
      }
      if (!owner && !existsSync(lock) && !existsSync(stateFile(stateDir))) return ensureLocalAthena(options);
      if (Date.now() > deadline) {
        if (daemonPid !== undefined) killGroup(daemonPid);
        throw new Error(
          `the local Athena was not ready in time; ${join(stateDir, 'daemon.log')}:\n${logTail(join(stateDir, 'daemon.log'), 40)}`,
        );
      }
      await sleep(500);
    }
  } finally {
    if (owner) rmSync(lock, { recursive: true, force: true });
  }
}

function spawnDaemon(stateDir: string, options: EnsureOptions): number {
  const entry = new URL('./daemon-entry.mjs', import.meta.url).pathname;
  const args = [
    entry,
    '--state-dir',
    stateDir,
    '--idle-timeout',
    String(options.idleTimeoutSeconds ?? DEFAULT_IDLE_TIMEOUT_SECONDS),
  ];
  if (options.parentPid !== undefined) args.push('--parent-pid', String(options.parentPid));
  if (options.heapMb !== undefined) args.push('--heap-mb', String(options.heapMb));
  const log = openSync(join(stateDir, 'daemon.log'), 'w');
  try {
    // detached: its own process group, which --stop kills as a whole.
    const child = spawn(process.execPath, args, { detached: true, stdio: ['ignore', log, log], env: process.env });
    child.unref();
    if (child.pid === undefined) throw new Error('could not start the local Athena supervisor');
    return child.pid;
  } finally {
    closeSync(log);
  }
}

/** Stops the service and everything it started; false when none was running. */
export async function stopLocalAthena(stateDir = defaultStateDir(), timeoutMs = 30_000): Promise<boolean> {
  const file = stateFile(stateDir);
  if (!existsSync(file)) return false;
  let state: ServiceState;
  try {
    state = JSON.parse(readFileSync(file, 'utf8')) as ServiceState;
  } catch {
    rmSync(file, { force: true });
    return false;
  }
  await fetch(`${state.controlUrl}/stop`, { method: 'POST', signal: AbortSignal.timeout(5_000) }).catch(
    () => undefined,
  );
  const deadline = Date.now() + timeoutMs;
  while (groupAlive(state.pid) && Date.now() < deadline) await sleep(200);
  killGroup(state.pid);
  rmSync(file, { force: true });
  return true;
}

/** True while any process of the group exists. */
export function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function killGroup(pgid: number): void {
  try {
    process.kill(-pgid, 'SIGKILL');
  } catch {
    // already gone
  }
}
