/**
 * A single-node Trino on 127.0.0.1 with one catalog, `awsdatacatalog` (the name Athena gives the Glue
 * Data Catalog, which the views stored in Glue refer to): the Hive connector with its Glue metastore
 * at the emulator's Glue endpoint and its native S3 file system at the emulator's S3 endpoint.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Engines } from './engines.js';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from './moto.js';
import { freePort, httpAnswers, spawnServer, waitUntil, type Server } from './processes.js';
import { runTrinoQuery } from './trino-client.js';

export const TRINO_CATALOG = 'awsdatacatalog';

export interface TrinoOptions {
  /** Where etc/, var/ and the logs go. */
  readonly dir: string;
  /** moto's endpoint: Glue and S3. */
  readonly awsEndpoint: string;
  /** JVM heap; Trino's own test clusters run with 1-2 GB. */
  readonly heapMb?: number;
  readonly timeoutMs?: number;
}

export interface Trino {
  readonly server: Server;
  /** http://127.0.0.1:<port> */
  readonly url: string;
}

/** The catalog file: every property is Trino 476's (checked against the plugin's config classes). */
export function catalogProperties(awsEndpoint: string, cacheDir: string): Record<string, string> {
  return {
    'connector.name': 'hive',
    'hive.metastore': 'glue',
    'hive.metastore.glue.region': LOCAL_REGION,
    'hive.metastore.glue.endpoint-url': awsEndpoint,
    'hive.metastore.glue.aws-access-key': LOCAL_CREDENTIALS.accessKeyId,
    'hive.metastore.glue.aws-secret-key': LOCAL_CREDENTIALS.secretAccessKey,
    // moto ignores GetPartitions' Segment and answers every segment with every partition
    // (getmoto/moto#10123): with Trino's default of 5 segments each partition would be read 5 times.
    'hive.metastore.glue.partitions-segments': '1',
    'fs.native-s3.enabled': 'true',
    's3.endpoint': awsEndpoint,
    's3.region': LOCAL_REGION,
    's3.path-style-access': 'true',
    's3.aws-access-key': LOCAL_CREDENTIALS.accessKeyId,
    's3.aws-secret-key': LOCAL_CREDENTIALS.secretAccessKey,
    // moto serves S3 from one Python process, ~100 ms a small file under Trino's parallel reads:
    // a query that reads the songs three times would wait on it. File contents are cached on disk,
    // keyed by path, last-modified time and length (Trino's DefaultCacheKeyProvider), so a file
    // rewritten under the same key with another length or in another second is read anew;
    // listings and the catalog are never cached.
    'fs.cache.enabled': 'true',
    'fs.cache.directories': cacheDir,
    'fs.cache.max-sizes': '2GB',
  };
}

function properties(values: Record<string, string>): string {
  return `${Object.entries(values)
    .map(([key, value]) => `${key}=${value}`)
    .join('\n')}\n`;
}

export async function startTrino(engines: Engines, options: TrinoOptions): Promise<Trino> {
  const port = await freePort();
  const etc = join(options.dir, 'etc');
  const data = join(options.dir, 'var');
  mkdirSync(join(etc, 'catalog'), { recursive: true });
  mkdirSync(data, { recursive: true });
  const url = `http://127.0.0.1:${port}`;
  writeFileSync(
    join(etc, 'config.properties'),
    properties({
      coordinator: 'true',
      'node-scheduler.include-coordinator': 'true',
      'http-server.http.port': String(port),
      'discovery.uri': url,
      'plugin.dir': join(engines.trinoHome, 'plugin'),
      'catalog.config-dir': join(etc, 'catalog'),
      // Small machine: keep per-query memory well inside the heap.
      'query.max-memory': '512MB',
      'query.max-memory-per-node': '512MB',
      'http-server.log.enabled': 'false',
    }),
  );
  writeFileSync(join(etc, 'log.properties'), properties({ 'io.trino': 'INFO', 'io.airlift': 'WARN' }));
  writeFileSync(
    join(etc, 'catalog', `${TRINO_CATALOG}.properties`),
    properties(catalogProperties(options.awsEndpoint, join(options.dir, 'cache'))),
  );

  const heap = options.heapMb ?? 1536;
  const jvm = [
    '-server',
    `-Xmx${heap}m`,
    '-XX:+UseG1GC',
    '-XX:G1HeapRegionSize=32M',
    '-XX:+ExplicitGCInvokesConcurrent',
    '-XX:+ExitOnOutOfMemoryError',
    '-XX:-OmitStackTraceInFastThrow',
    '-XX:ReservedCodeCacheSize=256M',
    '-XX:PerMethodRecompilationCutoff=10000',
    '-XX:PerBytecodeRecompilationCutoff=10000',
    '-XX:+EnableDynamicAgentLoading',
    '-Djdk.attach.allowAttachSelf=true',
    '-Djdk.nio.maxCachedBufferSize=2000000',
    '-Dfile.encoding=UTF-8',
    // Athena runs in UTC; so does this server, whatever the machine's zone.
    '-Duser.timezone=UTC',
    // Class data of earlier starts, reused: a later start is faster (JDK 19+).
    '-XX:+AutoCreateSharedArchive',
    `-XX:SharedArchiveFile=${join(options.dir, '..', `trino-${engines.trinoVersion}-classes.jsa`)}`,
  ];
  const node = [
    '-Dnode.environment=local',
    '-Dnode.id=sparkify-local-athena',
    `-Dnode.data-dir=${data}`,
    '-Dnode.bind-ip=127.0.0.1',
    '-Dnode.internal-address=127.0.0.1',
    `-Dconfig=${join(etc, 'config.properties')}`,
    `-Dlog.levels-file=${join(etc, 'log.properties')}`,
  ];
  const server = spawnServer(
    'trino',
    join(engines.javaHome, 'bin', 'java'),
    [...jvm, ...node, '-cp', `${join(engines.trinoHome, 'lib')}/*`, 'io.trino.server.TrinoServer'],
    { logFile: join(options.dir, 'trino.log'), cwd: options.dir, env: { ...process.env, JAVA_HOME: engines.javaHome } },
  );
  await waitUntil(
    server,
    async () => {
      const info = await httpAnswers(`${url}/v1/info`);
      if (!info?.ok || ((await info.json()) as { starting?: boolean }).starting !== false) return false;
      // Queryable, and the catalog talks to the Glue endpoint.
      await runTrinoQuery(url, `SHOW SCHEMAS FROM ${TRINO_CATALOG}`);
      return true;
    },
    options.timeoutMs ?? 240_000,
  );
  return { server, url };
}
