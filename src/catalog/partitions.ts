/**
 * Registers Hive-style partitions with Glue so Athena sees new data without a crawler or
 * MSCK REPAIR. Workers may report the same partition many times and concurrently, so an
 * already-registered partition is the normal case, not an error.
 */
import {
  BatchCreatePartitionCommand,
  type GlueClient,
  type PartitionError,
  type PartitionInput,
} from '@aws-sdk/client-glue';
import { partitionPrefix, type PartitionRef } from '../domain/layout.js';
import { baseTable, type BaseTableName } from '../domain/tables.js';
import { sdkStorageDescriptor } from './glue-sdk.js';
import { normaliseLakeRoot, parquetStorage } from './glue-tables.js';

/** Glue's limit for PartitionInputList in one BatchCreatePartition call. */
export const MAX_PARTITIONS_PER_BATCH = 100;

export interface RegisterPartitionsParams {
  readonly databaseName: string;
  readonly lakeRootUri: string;
}

export interface RegisterPartitionsResult {
  readonly created: number;
  readonly alreadyExisted: number;
}

export async function registerPartitions(
  glue: GlueClient,
  params: RegisterPartitionsParams,
  partitions: readonly PartitionRef[],
): Promise<RegisterPartitionsResult> {
  const root = normaliseLakeRoot(params.lakeRootUri);
  let created = 0;
  let alreadyExisted = 0;
  const failures: string[] = [];

  // Build every input before sending anything: a partition with the wrong number of values is a
  // programming error and should fail the whole call, not leave half of it registered.
  const perTable = [...groupByTable(partitions)].map(
    ([table, valueLists]) => [table, valueLists.map((values) => partitionInput(table, values, root))] as const,
  );

  for (const [table, inputs] of perTable) {
    for (const batch of chunks(inputs, MAX_PARTITIONS_PER_BATCH)) {
      const response = await glue.send(
        new BatchCreatePartitionCommand({
          DatabaseName: params.databaseName,
          TableName: table,
          PartitionInputList: batch,
        }),
      );
      const errors = response.Errors ?? [];
      created += batch.length - errors.length;
      for (const error of errors) {
        if (error.ErrorDetail?.ErrorCode === 'AlreadyExistsException') alreadyExisted += 1;
        else failures.push(describeFailure(table, error));
      }
    }
  }

  // Reported after every batch was tried, so one bad partition does not keep the others hidden.
  if (failures.length > 0) {
    throw new Error(`Glue rejected ${failures.length} partition(s) in ${params.databaseName}: ${failures.join('; ')}`);
  }
  return { created, alreadyExisted };
}

function partitionInput(table: BaseTableName, values: readonly string[], root: string): PartitionInput {
  const { columns, partitionKeys } = baseTable(table);
  const keys = partitionKeys.map((k) => k.name);
  return {
    Values: [...values],
    StorageDescriptor: sdkStorageDescriptor(parquetStorage(columns, `${root}/${partitionPrefix(table, keys, values)}`)),
  };
}

/** Distinct value lists per table, in first-seen order. */
function groupByTable(partitions: readonly PartitionRef[]): Map<BaseTableName, (readonly string[])[]> {
  const byTable = new Map<BaseTableName, (readonly string[])[]>();
  const seen = new Set<string>();
  for (const p of partitions) {
    // An unpartitioned table (base_user_latest) has no partitions: its files lie at the table's own
    // location, and Glue refuses a partition without values.
    if (p.values.length === 0 && baseTable(p.table).partitionKeys.length === 0) continue;
    // JSON, not a '/'-join: values are free text and must not collide when joined.
    const key = JSON.stringify([p.table, p.values]);
    if (seen.has(key)) continue;
    seen.add(key);
    const list = byTable.get(p.table) ?? [];
    list.push(p.values);
    byTable.set(p.table, list);
  }
  return byTable;
}

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

function describeFailure(table: string, error: PartitionError): string {
  const values = error.PartitionValues ? `[${error.PartitionValues.join(', ')}]` : '[unknown values]';
  const code = error.ErrorDetail?.ErrorCode ?? 'UnknownError';
  const message = error.ErrorDetail?.ErrorMessage ?? 'no message';
  return `${table} ${values}: ${code}: ${message}`;
}
