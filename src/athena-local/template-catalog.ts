/**
 * The stack's Glue catalog, created in the emulator from the synthesized template: the
 * AWS::Glue::Database and every AWS::Glue::Table as CloudFormation would create them (their
 * DatabaseInput / TableInput are the Glue API's own shapes once the intrinsics are resolved), and
 * the Athena named queries. No DDL is written here.
 */
import {
  AlreadyExistsException,
  CreateDatabaseCommand,
  CreateTableCommand,
  UpdateTableCommand,
  type DatabaseInput,
  type GlueClient,
  type TableInput,
} from '@aws-sdk/client-glue';
import { resolveCfn, type CfnEnvironment } from './cfn.js';
import type { StackTemplate } from './stack-template.js';

export interface TemplateTable {
  readonly logicalId: string;
  readonly databaseName: string;
  readonly input: TableInput;
}

export interface TemplateCatalog {
  readonly databaseName: string;
  readonly database: DatabaseInput;
  /** In template order. */
  readonly tables: readonly TemplateTable[];
}

/** The template's one Glue database and its tables, intrinsics resolved in `env`. */
export function templateCatalog(template: StackTemplate, env: CfnEnvironment): TemplateCatalog {
  const databases = template.resources('AWS::Glue::Database');
  if (databases.length !== 1 || !databases[0])
    throw new Error(`expected one AWS::Glue::Database in the template, found ${databases.length}`);
  const database = resolveCfn(databases[0][1].Properties?.DatabaseInput, env) as DatabaseInput;
  if (!database.Name) throw new Error('the template Glue database has no name');
  const tables = template.resources('AWS::Glue::Table').map(([logicalId, resource]): TemplateTable => {
    const properties = resolveCfn(resource.Properties, env) as { DatabaseName: string; TableInput: TableInput };
    return { logicalId, databaseName: properties.DatabaseName, input: properties.TableInput };
  });
  for (const table of tables) {
    if (table.databaseName !== database.Name)
      throw new Error(`${table.logicalId} is in database ${table.databaseName}, not ${database.Name}`);
  }
  return { databaseName: database.Name, database, tables };
}

/**
 * CreateDatabase and CreateTable as CloudFormation would call them; a table that already exists is
 * replaced with UpdateTable (a later definition of the same stack), so this can run again.
 */
export async function createTemplateCatalog(glue: GlueClient, catalog: TemplateCatalog): Promise<void> {
  try {
    await glue.send(new CreateDatabaseCommand({ DatabaseInput: catalog.database }));
  } catch (error) {
    if (!(error instanceof AlreadyExistsException)) throw error;
  }
  for (const table of catalog.tables) {
    try {
      await glue.send(new CreateTableCommand({ DatabaseName: table.databaseName, TableInput: table.input }));
    } catch (error) {
      if (!(error instanceof AlreadyExistsException)) throw error;
      await glue.send(new UpdateTableCommand({ DatabaseName: table.databaseName, TableInput: table.input }));
    }
  }
}

export interface NamedQuery {
  readonly name: string;
  readonly database: string;
  readonly sql: string;
}

/** Every AWS::Athena::NamedQuery of the template, as saved in the workgroup. */
export function templateNamedQueries(template: StackTemplate): NamedQuery[] {
  return template.resources('AWS::Athena::NamedQuery').map(([logicalId, resource]) => {
    const p = resource.Properties ?? {};
    if (typeof p.Name !== 'string' || typeof p.QueryString !== 'string' || typeof p.Database !== 'string') {
      throw new Error(`${logicalId}: Name, Database and QueryString must be plain strings`);
    }
    return { name: p.Name, database: p.Database, sql: p.QueryString };
  });
}
