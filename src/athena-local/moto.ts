/** moto's server (S3, SQS and Glue in one process) on 127.0.0.1. */
import { join } from 'node:path';
import type { Engines } from './engines.js';
import { freePort, httpAnswers, spawnServer, waitUntil, type Server } from './processes.js';

export interface Moto {
  readonly server: Server;
  /** http://127.0.0.1:<port>: S3 (path-style), SQS and Glue all answer here. */
  readonly endpoint: string;
}

export async function startMoto(engines: Engines, options: { logDir: string; timeoutMs?: number }): Promise<Moto> {
  const port = await freePort();
  const server = spawnServer('moto', engines.motoServer, ['-H', '127.0.0.1', '-p', String(port)], {
    logFile: join(options.logDir, 'moto.log'),
    // Region and the fake account of every resource (moto's default account is 123456789012).
    env: { ...process.env, AWS_DEFAULT_REGION: LOCAL_REGION, MOTO_ALLOW_NONEXISTENT_REGION: 'false' },
  });
  const endpoint = `http://127.0.0.1:${port}`;
  await waitUntil(
    server,
    async () => (await httpAnswers(`${endpoint}/moto-api/`))?.ok === true,
    options.timeoutMs ?? 60_000,
  );
  return { server, endpoint };
}

export const LOCAL_REGION = 'us-east-1';
/** moto's default account, which every ARN it makes carries. */
export const LOCAL_ACCOUNT_ID = '123456789012';
/** Any credentials do for moto; these are AWS's documented example keys. */
export const LOCAL_CREDENTIALS = {
  accessKeyId: 'AKIAIOSFODNN7EXAMPLE',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
} as const;
