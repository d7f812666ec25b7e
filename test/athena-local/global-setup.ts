/**
 * Starts the local Athena (moto, then Trino) once for every test file of test/athena-local, through
 * the same code as `sparkify-lake query --engine trino`, in a state folder of its own, and stops it
 * afterwards through the same code as `--stop`, checking that no process of it is left. The service
 * also stops by itself when this runner's process is gone, so a crashed run leaves nothing behind.
 * Missing engines fail the run (never a skip), with the install command in the message.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { ensureLocalAthena, groupAlive, stopLocalAthena, type ServiceState } from '../../src/athena-local/service.js';

declare module 'vitest' {
  export interface ProvidedContext {
    localAthena: ServiceState;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const stateDir = mkdtempSync(join(tmpdir(), 'sparkify-local-athena-test-'));
  const started = performance.now();
  let state: ServiceState;
  try {
    state = await ensureLocalAthena({ stateDir, parentPid: process.pid, idleTimeoutSeconds: 3600 });
  } catch (error) {
    rmSync(stateDir, { recursive: true, force: true });
    throw error;
  }
  process.stderr.write(
    `[athena-local] moto + Trino ready in ${((performance.now() - started) / 1000).toFixed(1)} s (Trino ${state.trinoUrl}, moto ${state.awsEndpoint})\n`,
  );
  project.provide('localAthena', state);
  return async () => {
    await stopLocalAthena(stateDir);
    const leftover = groupAlive(state.pid);
    rmSync(stateDir, { recursive: true, force: true });
    if (leftover) throw new Error(`the local Athena's process group ${state.pid} survived --stop`);
  };
}
