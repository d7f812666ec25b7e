/**
 * Where analysts query the lake: an Athena workgroup whose settings they cannot override (result
 * location, encryption, a per-query scan limit, engine version 3), its results bucket, and one
 * saved (named) query per standard question of src/domain/analyst-queries.ts, with the same SQL
 * that `npm start` runs locally.
 */
import * as athena from 'aws-cdk-lib/aws-athena';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { ANALYST_QUERIES } from '../src/domain/analyst-queries.js';
import { privateBucket } from './buckets.js';
import { ATHENA_BYTES_SCANNED_CUTOFF, ATHENA_RESULTS_EXPIRY } from './settings.js';

export const ATHENA_ENGINE_VERSION = 'Athena engine version 3';
export const RESULTS_PREFIX = 'results/';

export interface AnalyticsProps {
  readonly workGroupName: string;
  readonly databaseName: string;
  readonly accessLogs: s3.IBucket;
}

export class Analytics extends Construct {
  readonly resultsBucket: s3.Bucket;
  readonly workGroup: athena.CfnWorkGroup;
  readonly namedQueries: ReadonlyMap<string, athena.CfnNamedQuery>;

  constructor(scope: Construct, id: string, props: AnalyticsProps) {
    super(scope, id);
    this.resultsBucket = privateBucket(this, 'Results', {
      accessLogs: props.accessLogs,
      lifecycleRules: [{ id: 'expire-query-results', expiration: ATHENA_RESULTS_EXPIRY }],
    });
    this.workGroup = new athena.CfnWorkGroup(this, 'WorkGroup', {
      name: props.workGroupName,
      description: `Sparkify lake: query the ${props.databaseName} database (songplays, users, songs, artists, "time")`,
      state: 'ENABLED',
      // Lets `cdk destroy` delete the workgroup although it has query history and named queries.
      recursiveDeleteOption: true,
      workGroupConfiguration: {
        enforceWorkGroupConfiguration: true,
        bytesScannedCutoffPerQuery: ATHENA_BYTES_SCANNED_CUTOFF,
        publishCloudWatchMetricsEnabled: true,
        requesterPaysEnabled: false,
        engineVersion: { selectedEngineVersion: ATHENA_ENGINE_VERSION },
        resultConfiguration: {
          outputLocation: this.resultsBucket.s3UrlForObject(RESULTS_PREFIX),
          encryptionConfiguration: { encryptionOption: 'SSE_S3' },
        },
      },
    });
    const queries = new Map<string, athena.CfnNamedQuery>();
    for (const query of ANALYST_QUERIES) {
      const named = new athena.CfnNamedQuery(this, `Query_${query.name}`, {
        name: query.name,
        description: query.title,
        database: props.databaseName,
        queryString: query.sql,
        workGroup: this.workGroup.ref,
      });
      queries.set(query.name, named);
    }
    this.namedQueries = queries;
  }
}
