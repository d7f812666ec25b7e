import {
  BatchCreatePartitionCommand,
  GlueClient,
  type BatchCreatePartitionCommandInput,
  type BatchCreatePartitionCommandOutput,
  type PartitionInput,
} from '@aws-sdk/client-glue';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MAX_PARTITIONS_PER_BATCH, registerPartitions } from '../../src/catalog/partitions.js';
import type { PartitionRef } from '../../src/domain/layout.js';
import { BASE_PLAYS } from '../../src/domain/tables.js';

const glue = new GlueClient({
  region: 'us-east-1',
  credentials: { accessKeyId: 'AKIAFAKE', secretAccessKey: 'fake' },
});
const glueMock = mockClient(glue);
const PARAMS = { databaseName: 'sparkify_lake', lakeRootUri: 's3://lake' };

const play = (year: number, month: number): PartitionRef => ({
  table: 'base_plays',
  values: [String(year), String(month)],
});
/** `count` distinct base_plays partitions: one per month from January 2000. */
const manyPlays = (count: number): PartitionRef[] =>
  Array.from({ length: count }, (_, i) => play(2000 + Math.floor(i / 12), (i % 12) + 1));

function sentInputs(): BatchCreatePartitionCommandInput[] {
  return glueMock.commandCalls(BatchCreatePartitionCommand).map((call) => call.args[0].input);
}

function partitionList(input: BatchCreatePartitionCommandInput | undefined): PartitionInput[] {
  return input?.PartitionInputList ?? [];
}

beforeEach(() => {
  glueMock.reset();
  glueMock.on(BatchCreatePartitionCommand).resolves({ Errors: [] });
});
afterEach(() => glueMock.reset());

describe('registerPartitions', () => {
  it('sends the Glue request shape: database, table, values, Parquet storage at the partition path', async () => {
    const result = await registerPartitions(glue, PARAMS, [play(2018, 11)]);

    expect(result).toEqual({ created: 1, alreadyExisted: 0 });
    const inputs = sentInputs();
    expect(inputs).toHaveLength(1);
    const expected: BatchCreatePartitionCommandInput = {
      DatabaseName: 'sparkify_lake',
      TableName: 'base_plays',
      PartitionInputList: [
        {
          Values: ['2018', '11'],
          StorageDescriptor: {
            Columns: BASE_PLAYS.columns.map((c) => ({ Name: c.name, Type: c.type, Comment: c.comment })),
            Location: 's3://lake/base_plays/year=2018/month=11/',
            InputFormat: 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat',
            OutputFormat: 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat',
            SerdeInfo: { SerializationLibrary: 'org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe' },
          },
        },
      ],
    };
    expect(inputs[0]).toEqual(expected);
  });

  it('uses one request per table and the table-specific partition keys', async () => {
    await registerPartitions(glue, { ...PARAMS, lakeRootUri: 's3://lake/root/' }, [
      play(2018, 11),
      { table: 'base_songs', values: ['0'] },
      { table: 'base_rejects', values: ['log_data'] },
    ]);

    const byTable = new Map(sentInputs().map((input) => [input.TableName, partitionList(input)]));
    expect([...byTable.keys()]).toEqual(['base_plays', 'base_songs', 'base_rejects']);
    expect(byTable.get('base_songs')?.[0]?.StorageDescriptor?.Location).toBe('s3://lake/root/base_songs/year=0/');
    expect(byTable.get('base_rejects')?.[0]?.StorageDescriptor?.Location).toBe(
      's3://lake/root/base_rejects/source=log_data/',
    );
    expect(byTable.get('base_rejects')?.[0]?.StorageDescriptor?.Columns?.map((c) => c.Name)).toEqual([
      'source_key',
      'line',
      'reason',
      'raw',
      'write_id',
      'field',
    ]);
  });

  it('splits 250 partitions into 3 calls of at most 100', async () => {
    const result = await registerPartitions(glue, PARAMS, manyPlays(250));

    const sizes = sentInputs().map((input) => partitionList(input).length);
    expect(sizes).toEqual([100, 100, 50]);
    expect(Math.max(...sizes)).toBeLessThanOrEqual(MAX_PARTITIONS_PER_BATCH);
    expect(result).toEqual({ created: 250, alreadyExisted: 0 });
    const sentValues = sentInputs().flatMap((input) => partitionList(input).map((p) => p.Values?.join('-')));
    expect(new Set(sentValues).size).toBe(250);
  });

  it('collapses duplicate partitions before sending', async () => {
    const result = await registerPartitions(glue, PARAMS, [
      play(2018, 11),
      play(2018, 11),
      play(2018, 12),
      play(2018, 11),
    ]);

    const values = sentInputs().flatMap((input) => partitionList(input).map((p) => p.Values));
    expect(values).toEqual([
      ['2018', '11'],
      ['2018', '12'],
    ]);
    expect(result).toEqual({ created: 2, alreadyExisted: 0 });
  });

  it('sends nothing for no partitions', async () => {
    expect(await registerPartitions(glue, PARAMS, [])).toEqual({ created: 0, alreadyExisted: 0 });
    expect(sentInputs()).toHaveLength(0);
  });

  it('tolerates and counts partitions that already exist', async () => {
    const response: Partial<BatchCreatePartitionCommandOutput> = {
      Errors: [
        {
          PartitionValues: ['2018', '11'],
          ErrorDetail: { ErrorCode: 'AlreadyExistsException', ErrorMessage: 'Partition already exists.' },
        },
      ],
    };
    glueMock.on(BatchCreatePartitionCommand).resolves(response);

    const result = await registerPartitions(glue, PARAMS, [play(2018, 11), play(2018, 12), play(2019, 1)]);

    expect(result).toEqual({ created: 2, alreadyExisted: 1 });
  });

  it('rejects on any other error, naming table, values and the Glue error', async () => {
    glueMock.on(BatchCreatePartitionCommand).resolves({
      Errors: [
        {
          PartitionValues: ['2018', '11'],
          ErrorDetail: { ErrorCode: 'AlreadyExistsException', ErrorMessage: 'exists' },
        },
        {
          PartitionValues: ['2018', '12'],
          ErrorDetail: { ErrorCode: 'InternalServiceException', ErrorMessage: 'try again later' },
        },
      ],
    });

    const call = registerPartitions(glue, PARAMS, [play(2018, 11), play(2018, 12)]);

    await expect(call).rejects.toThrow(/base_plays \[2018, 12\]: InternalServiceException: try again later/);
  });

  it('still tries every batch before reporting a failure', async () => {
    glueMock
      .on(BatchCreatePartitionCommand)
      .resolvesOnce({
        Errors: [{ PartitionValues: ['2000', '1'], ErrorDetail: { ErrorCode: 'InvalidInputException' } }],
      })
      .resolves({ Errors: [] });

    await expect(registerPartitions(glue, PARAMS, manyPlays(150))).rejects.toThrow(
      /1 partition\(s\).*base_plays \[2000, 1\]: InvalidInputException/,
    );
    expect(sentInputs()).toHaveLength(2);
  });

  it('propagates a failed request (throttling, permissions) as is', async () => {
    glueMock.on(BatchCreatePartitionCommand).rejects(new Error('AccessDeniedException: not allowed'));

    await expect(registerPartitions(glue, PARAMS, [play(2018, 11)])).rejects.toThrow(/AccessDeniedException/);
  });

  it('refuses a partition whose values do not match the table keys, before sending anything', async () => {
    const partitions: PartitionRef[] = [
      { table: 'base_songs', values: ['0'] },
      { table: 'base_plays', values: ['2018'] },
    ];
    await expect(registerPartitions(glue, PARAMS, partitions)).rejects.toThrow(
      /base_plays: 2 partition keys but 1 values/,
    );
    expect(sentInputs()).toHaveLength(0);
  });
});
