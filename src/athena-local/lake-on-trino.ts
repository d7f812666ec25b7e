/**
 * A local lake folder queried through the local Athena: the lake bucket and the Glue catalog of the
 * synthesized stack in the emulator, the folder mirrored into the bucket and its partitions
 * registered, then the SQL run by Trino in that catalog's database. Each lake folder gets its own
 * database and bucket, so several lakes can be queried through one running service.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { BucketAlreadyOwnedByYou, CreateBucketCommand } from '@aws-sdk/client-s3';
import type { S3Client } from '@aws-sdk/client-s3';
import { localAwsClients } from './aws-clients.js';
import { PACKAGE_ROOT } from './engines.js';
import { folderFiles, loadLakeFolder, type LoadLakeResult } from './lake-loader.js';
import { LOCAL_ACCOUNT_ID, LOCAL_REGION } from './moto.js';
import type { ServiceState } from './service.js';
import { localCfnEnvironment, StackTemplate, synthesizeTemplate, type CfnTemplateJson } from './stack-template.js';
import { createTemplateCatalog, templateCatalog } from './template-catalog.js';
import { runTrinoQuery, type TrinoResult } from './trino-client.js';
import { TRINO_CATALOG } from './trino-server.js';

export interface LakeNames {
  readonly databaseName: string;
  readonly bucket: string;
}

/** Stable per lake folder: `lake_<hash>` and `sparkify-lake-<hash>` of its absolute path. */
export function lakeNames(lakeDir: string): LakeNames {
  const hash = createHash('sha256').update(resolve(lakeDir)).digest('hex').slice(0, 12);
  return { databaseName: `lake_${hash}`, bucket: `sparkify-lake-${hash}` };
}

export interface PreparedLake extends LakeNames {
  readonly load: LoadLakeResult;
  readonly millis: number;
}

/** Catalog from the stack's template, folder mirrored, partitions registered. */
export async function prepareLake(
  state: Pick<ServiceState, 'awsEndpoint' | 'stateDir'>,
  lakeDir: string,
): Promise<PreparedLake> {
  const started = performance.now();
  const names = lakeNames(lakeDir);
  const templateJson = cachedTemplate(state.stateDir, names.databaseName);
  const template = new StackTemplate(templateJson);
  // Nothing to do when neither the folder nor the stack changed since the last query on this service.
  const fingerprint = createHash('sha256')
    .update(state.awsEndpoint)
    .update(JSON.stringify(templateJson))
    .update(folderFingerprint(lakeDir))
    .digest('hex');
  const marker = join(state.stateDir, 'prepared', `${names.databaseName}.txt`);
  if (existsSync(marker) && readFileSync(marker, 'utf8') === fingerprint) {
    return {
      ...names,
      load: {
        uploaded: 0,
        unchanged: 0,
        deleted: 0,
        partitions: { created: 0, alreadyExisted: 0 },
        partitionsDropped: 0,
      },
      millis: performance.now() - started,
    };
  }
  const clients = localAwsClients(state.awsEndpoint);
  try {
    await createBucket(clients.s3, names.bucket);
    const catalog = templateCatalog(
      template,
      localCfnEnvironment(
        template,
        { lakeBucket: names.bucket },
        { accountId: LOCAL_ACCOUNT_ID, region: LOCAL_REGION },
      ),
    );
    await createTemplateCatalog(clients.glue, catalog);
    const load = await loadLakeFolder(clients, lakeDir, { databaseName: catalog.databaseName, bucket: names.bucket });
    mkdirSync(dirname(marker), { recursive: true });
    writeFileSync(marker, fingerprint);
    return { ...names, databaseName: catalog.databaseName, load, millis: performance.now() - started };
  } finally {
    clients.destroy();
  }
}

export async function queryLakeOnTrino(
  state: ServiceState,
  lakeDir: string,
  sql: string,
): Promise<TrinoResult & { prepareMillis: number }> {
  const lake = await prepareLake(state, lakeDir);
  const result = await runTrinoQuery(state.trinoUrl, sql, { catalog: TRINO_CATALOG, schema: lake.databaseName });
  return { ...result, prepareMillis: lake.millis };
}

export async function createBucket(s3: S3Client, bucket: string): Promise<void> {
  try {
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));
  } catch (error) {
    if (!(error instanceof BucketAlreadyOwnedByYou)) throw error;
  }
}

/**
 * Synthesizing takes seconds, so the template is kept in the state folder, keyed by the database
 * name and a hash of every file the stack is built from: an edited schema or view is synthesized anew.
 */
function cachedTemplate(stateDir: string, databaseName: string): CfnTemplateJson {
  const dir = join(stateDir, 'templates');
  const file = join(dir, `${databaseName}-${stackSourceHash()}.json`);
  if (existsSync(file)) return JSON.parse(readFileSync(file, 'utf8')) as CfnTemplateJson;
  const template = synthesizeTemplate({ glueDatabase: databaseName });
  mkdirSync(dir, { recursive: true });
  writeFileSync(file, JSON.stringify(template));
  return template;
}

function stackSourceHash(): string {
  const hash = createHash('sha256');
  const add = (path: string): void => {
    for (const entry of readdirSync(path, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const child = join(path, entry.name);
      if (entry.isDirectory()) add(child);
      else if (/\.(ts|json)$/.test(entry.name)) hash.update(child).update(readFileSync(child));
    }
  };
  for (const folder of ['lib', 'src/domain', 'src/catalog']) add(join(PACKAGE_ROOT, folder));
  hash.update(readFileSync(join(PACKAGE_ROOT, 'cdk.json')));
  return hash.digest('hex').slice(0, 16);
}

/** Every file's key, size and modification time: changes when anything in the folder does. */
function folderFingerprint(dir: string): string {
  if (!existsSync(dir)) return 'missing';
  return folderFiles(dir)
    .map((key) => {
      const stat = statSync(join(dir, key));
      return `${key}\t${stat.size}\t${stat.mtimeMs}`;
    })
    .join('\n');
}
