/**
 * The Glue database and one AWS::Glue::Table per entry of glueTables(): the base tables the
 * workers write (external Parquet tables, partitions registered by the workers) and the analyst
 * views over them. The schema comes only from src/domain/tables.ts through
 * src/catalog/glue-tables.ts; this file renders that description in CloudFormation's shape.
 */
import { Aws, Stack } from 'aws-cdk-lib';
import * as glue from 'aws-cdk-lib/aws-glue';
import { Construct } from 'constructs';
import { glueTables, type GlueColumn, type GlueStorage, type GlueTable } from '../src/catalog/glue-tables.js';
import type { BaseTableName } from '../src/domain/tables.js';

export interface LakeCatalogProps {
  /** Glue database name: lower case letters, digits and underscores (Athena's rule). */
  readonly databaseName: string;
  /** `s3://bucket` (a token is fine) the base tables' locations are under. */
  readonly lakeRootUri: string;
}

const DATABASE_NAME = /^[a-z0-9_]{1,255}$/;

export class LakeCatalog extends Construct {
  readonly databaseName: string;
  readonly database: glue.CfnDatabase;
  readonly tables: ReadonlyMap<string, glue.CfnTable>;

  constructor(scope: Construct, id: string, props: LakeCatalogProps) {
    super(scope, id);
    if (!DATABASE_NAME.test(props.databaseName)) {
      throw new Error(`Glue database name must match ${DATABASE_NAME} for Athena, got "${props.databaseName}"`);
    }
    this.databaseName = props.databaseName;
    this.database = new glue.CfnDatabase(this, 'Database', {
      catalogId: Aws.ACCOUNT_ID,
      databaseInput: {
        name: props.databaseName,
        description:
          'Sparkify lake: Parquet base tables written by the ingest workers, and the analyst views over them.',
      },
    });
    const tables = new Map<string, glue.CfnTable>();
    for (const description of glueTables(props.databaseName, props.lakeRootUri)) {
      const name = description.name;
      const table = new glue.CfnTable(this, `Table_${name}`, {
        catalogId: Aws.ACCOUNT_ID,
        databaseName: props.databaseName,
        tableInput: cfnTableInput(description),
      });
      // The database is referenced by name, so CloudFormation must be told the order.
      table.addResourceDependency(this.database, 'tables are created in the database');
      tables.set(name, table);
    }
    this.tables = tables;
  }

  get catalogArn(): string {
    return Stack.of(this).formatArn({ service: 'glue', resource: 'catalog' });
  }

  get databaseArn(): string {
    return Stack.of(this).formatArn({ service: 'glue', resource: 'database', resourceName: this.databaseName });
  }

  tableArn(table: BaseTableName): string {
    if (!this.tables.has(table)) throw new Error(`no table ${table} in the catalog`);
    return Stack.of(this).formatArn({
      service: 'glue',
      resource: 'table',
      resourceName: `${this.databaseName}/${table}`,
    });
  }
}

function cfnColumns(columns: readonly GlueColumn[]): glue.CfnTable.ColumnProperty[] {
  return columns.map((c) => ({ name: c.name, type: c.type, comment: c.comment }));
}

function cfnStorageDescriptor(storage: GlueStorage): glue.CfnTable.StorageDescriptorProperty {
  return {
    columns: cfnColumns(storage.columns),
    location: storage.location,
    inputFormat: storage.inputFormat,
    outputFormat: storage.outputFormat,
    serdeInfo: storage.serde.library === undefined ? {} : { serializationLibrary: storage.serde.library },
  };
}

/** A table of src/catalog/glue-tables.ts as AWS::Glue::Table's TableInput (CDK drops the undefined fields). */
export function cfnTableInput(table: GlueTable): glue.CfnTable.TableInputProperty {
  return {
    name: table.name,
    description: table.description,
    owner: table.owner,
    tableType: table.tableType,
    parameters: { ...table.parameters },
    storageDescriptor: cfnStorageDescriptor(table.storage),
    partitionKeys: cfnColumns(table.partitionKeys),
    viewOriginalText: table.view?.originalText,
    viewExpandedText: table.view?.expandedText,
  };
}
