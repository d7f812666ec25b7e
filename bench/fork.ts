/** Starts a measuring child (bench/child.ts) in a fresh Node process and waits for its result. */
import { fork } from 'node:child_process';
import { join } from 'node:path';
import type { ChildRequest, ResultOf } from './protocol.js';

export interface ChildRun<R> {
  readonly result: R;
  /** Fork → exit, ms: process start and module loading included. */
  readonly processMs: number;
}

/** What a child sends while it works (bench/child.ts `progress`), before its result. */
interface ProgressMessage {
  readonly progress: string;
}

function isProgress(message: unknown): message is ProgressMessage {
  return (
    typeof message === 'object' && message !== null && typeof (message as { progress?: unknown }).progress === 'string'
  );
}

export function runChild<Q extends ChildRequest>(
  repoRoot: string,
  request: Q,
  extraExecArgv: readonly string[] = [],
  onProgress?: (line: string) => void,
): Promise<ChildRun<ResultOf<Q>>> {
  return new Promise((resolvePromise, reject) => {
    const started = performance.now();
    const env: NodeJS.ProcessEnv = { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' };
    delete env.POWERTOOLS_DEV;
    delete env.POWERTOOLS_METRICS_DISABLED;
    delete env.NODE_OPTIONS;
    const child = fork(join(repoRoot, 'bench', 'child.ts'), [JSON.stringify(request)], {
      cwd: repoRoot,
      env,
      execArgv: ['--import', 'tsx', ...extraExecArgv],
      // stdout discarded: Powertools writes its log lines and EMF metrics there, as in Lambda.
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    });
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString('utf8')).slice(-20_000);
    });
    let result: ResultOf<Q> | undefined;
    child.on('message', (message) => {
      if (isProgress(message)) onProgress?.(message.progress);
      else result = message as ResultOf<Q>;
    });
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (code === 0 && result) resolvePromise({ result, processMs: performance.now() - started });
      else reject(new Error(`bench child ${request.mode} failed (exit ${code ?? signal}):\n${stderr}`));
    });
  });
}
