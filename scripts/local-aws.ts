/**
 * `npm run local-aws -- <input-dir>`: the stack's ingest path on this machine, end to end. Deploys
 * the synthesized template's buckets, queues (with their DLQs), landing notifications and Glue
 * catalog into the local Athena's moto, puts every file of <input-dir>/song_data and /log_data into
 * the landing bucket, lets pollers that behave like the event source mappings hand the S3 events to
 * the real worker handler, and asks Trino the analysts' named queries. The local Athena (started if
 * needed, reused if running) stops after its idle timeout or `sparkify-lake query --engine trino --stop`.
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { randomBytes } from 'node:crypto';
import { localAwsClients } from '../src/athena-local/aws-clients.js';
import { SOURCE_KIND_FACTS, SOURCE_KINDS, type SourceKind } from '../src/contract/index.js';
import { deployLocalStack, EventSourcePoller, localWorkerHandler } from '../src/athena-local/aws-path.js';
import { folderFiles } from '../src/athena-local/lake-loader.js';
import { ensureLocalAthena } from '../src/athena-local/service.js';
import { StackTemplate, synthesizeTemplate } from '../src/athena-local/stack-template.js';
import { templateNamedQueries } from '../src/athena-local/template-catalog.js';
import { runTrinoQuery } from '../src/athena-local/trino-client.js';
import { TRINO_CATALOG } from '../src/athena-local/trino-server.js';
import { renderTable } from '../src/cli/format.js';
import { sourceKindOf } from '../src/domain/layout.js';

async function main(argv: readonly string[]): Promise<number> {
  const [inputArg, ...rest] = argv;
  if (!inputArg || rest.length > 0) {
    process.stderr.write(
      'usage: npm run local-aws -- <input-dir>   (a folder with song_data/ and log_data/, e.g. data/sample)\n',
    );
    return 2;
  }
  const input = resolve(inputArg);
  const started = performance.now();
  const say = (text: string) => process.stderr.write(`[local-aws] ${text}\n`);
  const state = await ensureLocalAthena({
    onStart: () => say('starting the local Athena (Trino + moto); the first start takes a minute or two...'),
  });
  const clients = localAwsClients(state.awsEndpoint);
  try {
    const suffix = randomBytes(3).toString('hex');
    const template = new StackTemplate(synthesizeTemplate({ glueDatabase: `local_aws_${suffix}` }));
    // Failed messages come back after 5 s instead of the template's minutes (and so reach the DLQ sooner).
    const stack = await deployLocalStack(clients, template, {
      suffix,
      visibilityTimeoutSeconds: 5,
      batchingWindowSeconds: 2,
    });
    say(
      `deployed from the template: landing s3://${stack.landingBucket}, lake s3://${stack.lakeBucket}, Glue database ${stack.databaseName}`,
    );
    process.env.POWERTOOLS_METRICS_DISABLED = 'true';
    // Metrics in a namespace of their own: nothing local should land among the deployed stack's.
    const observability = (kind: SourceKind) => {
      const { serviceName } = SOURCE_KIND_FACTS[kind];
      return {
        logger: new Logger({ serviceName, logLevel: 'WARN' }),
        metrics: new Metrics({ namespace: 'SparkifyLakeLocal', serviceName }),
      };
    };
    const pollers = SOURCE_KINDS.map(
      (kind) =>
        new EventSourcePoller(
          clients.sqs,
          stack.sources[kind],
          localWorkerHandler(clients, stack, kind, observability(kind)),
        ),
    );

    const keys = folderFiles(input).filter((key) => sourceKindOf(key) !== undefined);
    say(`putting ${keys.length} files into the landing bucket; the S3 events go to the queues`);
    for (const key of keys)
      await clients.s3.send(
        new PutObjectCommand({ Bucket: stack.landingBucket, Key: key, Body: readFileSync(join(input, key)) }),
      );
    await Promise.all(pollers.map((poller) => poller.drain(30 * 60_000)));
    for (const poller of pollers) {
      const dead = await poller.depth(poller.source.deadLetterQueue);
      say(
        `${poller.source.kind} worker: ${poller.invocations.length} invocations, ${dead} message(s) in its dead-letter queue`,
      );
    }
    for (const query of templateNamedQueries(template)) {
      const result = await runTrinoQuery(state.trinoUrl, query.sql, {
        catalog: TRINO_CATALOG,
        schema: stack.databaseName,
      });
      process.stdout.write(`\n== ${query.name} (Trino, ${result.elapsedMillis} ms)\n${renderTable(result)}\n`);
    }
    say(
      `done in ${((performance.now() - started) / 1000).toFixed(1)} s; Trino ${state.trinoUrl}, catalog ${TRINO_CATALOG}, schema ${stack.databaseName}`,
    );
    return 0;
  } finally {
    clients.destroy();
  }
}

process.exitCode = await main(process.argv.slice(2));
