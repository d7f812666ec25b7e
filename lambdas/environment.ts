/** The workers' configuration, read and validated once at cold start so a bad deploy fails loudly. */
export interface WorkerEnvironment {
  /** Bucket the lake is written to. */
  readonly lakeBucket: string;
  /** Glue database holding the base tables and analyst views. */
  readonly glueDatabase: string;
  /**
   * Landing files read and transformed at once within a batch: many for song files (a few hundred
   * bytes each, so the time is S3 latency), one for log files (hundreds of MB each, so memory).
   */
  readonly fileConcurrency: number;
}

export function readWorkerEnvironment(env: NodeJS.ProcessEnv, defaults: { fileConcurrency: number }): WorkerEnvironment {
  const missing = ['LAKE_BUCKET', 'GLUE_DATABASE'].filter((name) => !env[name]);
  if (missing.length > 0) throw new Error(`worker misconfigured: environment variable(s) ${missing.join(', ')} not set`);
  const concurrency = env.FILE_CONCURRENCY;
  if (concurrency !== undefined && !/^[1-9]\d{0,3}$/.test(concurrency)) {
    throw new Error(`worker misconfigured: FILE_CONCURRENCY must be a whole number from 1 to 9999, not ${concurrency}`);
  }
  return {
    lakeBucket: env.LAKE_BUCKET as string,
    glueDatabase: env.GLUE_DATABASE as string,
    fileConcurrency: concurrency === undefined ? defaults.fileConcurrency : Number(concurrency),
  };
}
