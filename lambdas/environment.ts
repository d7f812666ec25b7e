/** The workers' configuration, read and validated once at cold start so a bad deploy fails loudly. */
export interface WorkerEnvironment {
  /** Bucket the lake is written to. */
  readonly lakeBucket: string;
  /** Glue database holding the base tables and analyst views. */
  readonly glueDatabase: string;
  /**
   * Log files are processed one at a time (they can be hundreds of MB); song files, a few KB each,
   * in parallel.
   */
  readonly processInParallel: boolean;
}

export function readWorkerEnvironment(env: NodeJS.ProcessEnv, defaults: { processInParallel: boolean }): WorkerEnvironment {
  const missing = ['LAKE_BUCKET', 'GLUE_DATABASE'].filter((name) => !env[name]);
  if (missing.length > 0) throw new Error(`worker misconfigured: environment variable(s) ${missing.join(', ')} not set`);
  const parallel = env.PROCESS_IN_PARALLEL;
  if (parallel !== undefined && parallel !== 'true' && parallel !== 'false') {
    throw new Error(`worker misconfigured: PROCESS_IN_PARALLEL must be true or false, not ${parallel}`);
  }
  return {
    lakeBucket: env.LAKE_BUCKET as string,
    glueDatabase: env.GLUE_DATABASE as string,
    processInParallel: parallel === undefined ? defaults.processInParallel : parallel === 'true',
  };
}
