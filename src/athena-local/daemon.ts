/**
 * The supervisor of the local Athena (started by service.ts, detached, as a process group leader):
 * starts moto then Trino as its children, serves a tiny control API on 127.0.0.1 (GET /ping resets
 * the idle timer, POST /stop stops), writes state.json when both answer, and on stop, idle timeout,
 * the end of its parent, a signal or the death of a server, stops both and removes state.json.
 */
import { createServer } from 'node:http';
import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { findEngines } from './engines.js';
import { startMoto, type Moto } from './moto.js';
import { isAlive, stopServer } from './processes.js';
import { stateFile, type ServiceState } from './service.js';
import { startTrino, type Trino } from './trino-server.js';

export async function runDaemon(argv: readonly string[]): Promise<void> {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      'state-dir': { type: 'string' },
      'idle-timeout': { type: 'string' },
      'parent-pid': { type: 'string' },
      'heap-mb': { type: 'string' },
    },
  });
  const stateDir = values['state-dir'];
  if (!stateDir) throw new Error('--state-dir is required');
  const idleSeconds = Number(values['idle-timeout'] ?? 1800);
  const parentPid = values['parent-pid'] ? Number(values['parent-pid']) : undefined;
  const log = (message: string): void => void process.stdout.write(`${new Date().toISOString()} ${message}\n`);
  const started = performance.now();

  let moto: Moto | undefined;
  let trino: Trino | undefined;
  let lastUsed = Date.now();
  let stopping: Promise<void> | undefined;
  const control = createServer((request, response) => {
    lastUsed = Date.now();
    if (request.method === 'POST' && request.url === '/stop') {
      response.end('stopping\n');
      void stop('asked to stop');
      return;
    }
    response.end('ok\n');
  });
  const stop = (why: string, code = 0): Promise<void> => {
    stopping ??= (async () => {
      log(`stopping: ${why}`);
      rmSync(stateFile(stateDir), { force: true });
      control.close();
      await Promise.all([trino && stopServer(trino.server, 3_000), moto && stopServer(moto.server, 3_000)]);
      log('stopped');
      process.exit(code);
    })();
    return stopping;
  };
  for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) process.on(signal, () => void stop(signal));

  try {
    mkdirSync(stateDir, { recursive: true });
    const engines = findEngines();
    log(
      `Trino ${engines.trinoVersion} on Java ${engines.javaVersion} (${engines.javaHome}), moto ${engines.motoVersion}`,
    );
    moto = await startMoto(engines, { logDir: stateDir });
    log(`moto answers at ${moto.endpoint} (${Math.round(performance.now() - started)} ms)`);
    moto.server.child.once('exit', (code) => void stop(`moto exited (${code})`, 1));
    const heapMb = values['heap-mb'] ? Number(values['heap-mb']) : undefined;
    trino = await startTrino(engines, {
      dir: join(stateDir, 'trino'),
      awsEndpoint: moto.endpoint,
      ...(heapMb ? { heapMb } : {}),
    });
    log(`Trino answers at ${trino.url} (${Math.round(performance.now() - started)} ms)`);
    trino.server.child.once('exit', (code) => void stop(`Trino exited (${code})`, 1));
    await new Promise<void>((resolve) => control.listen({ host: '127.0.0.1', port: 0 }, resolve));
    const address = control.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    const state: ServiceState = {
      pid: process.pid,
      controlUrl: `http://127.0.0.1:${port}`,
      awsEndpoint: moto.endpoint,
      trinoUrl: trino.url,
      startedAt: new Date().toISOString(),
      startupSeconds: Math.round((performance.now() - started) / 100) / 10,
      idleTimeoutSeconds: idleSeconds,
      stateDir,
    };
    const file = stateFile(stateDir);
    writeFileSync(`${file}.tmp`, JSON.stringify(state, null, 2));
    renameSync(`${file}.tmp`, file);
    log(`ready in ${state.startupSeconds} s; idle timeout ${idleSeconds} s${parentPid ? `, parent ${parentPid}` : ''}`);
  } catch (error) {
    log(`failed to start: ${(error as Error).stack ?? String(error)}`);
    await stop('start failed', 1);
    return;
  }

  setInterval(() => {
    if (Date.now() - lastUsed > idleSeconds * 1000) void stop(`idle for ${idleSeconds} s`);
    else if (parentPid !== undefined && !isAlive(parentPid)) void stop(`parent ${parentPid} is gone`);
  }, 2_000);
}
