/**
 * The view payload Athena stores in Glue when you run CREATE VIEW. What we know of it, and from
 * where (public sources, checked rather than guessed):
 *
 * - Envelope: ViewOriginalText is `/* Presto View: ` + base64(JSON) + ` *\/`, ViewExpandedText is
 *   `/* Presto View *\/`, TableType VIRTUAL_VIEW, Parameters presto_view='true' and
 *   comment='Presto View'. A reader only treats the table as an engine view when all of these
 *   hold: trinodb/trino plugin/trino-hive/.../ViewReaderUtil.java (VIEW_PREFIX, VIEW_SUFFIX,
 *   encodeViewData, isTrinoView) and mapbox/cloudfriend lib/shortcuts/glue-presto-view.js.
 * - JSON keys: those of Trino's ConnectorViewDefinition: originalSql, catalog, schema,
 *   columns[{name, type}], owner, runAsInvoker (trinodb/trino core/trino-spi ConnectorViewDefinition).
 *   Athena's catalog name is `awsdatacatalog`; column types are engine type names (varchar,
 *   integer, bigint, double, real, date), not Hive names. Seen in an Athena-written payload that
 *   a public CDK stack copied verbatim (originalSql in Athena's own reformatted SQL), and in
 *   cloudfriend's generator.
 * - owner: absent. That Athena-written payload has no owner, and Trino reading Athena views from
 *   Glue fails with "Run-as identity must be set for a run-as definer view" (trinodb/trino#18573),
 *   which is what a definer view without an owner produces.
 * - runAsInvoker: false. Trino's serialiser always writes this primitive (Trino-written payloads,
 *   e.g. the StarRocks/Doris test fixtures, end in `"owner":…,"runAsInvoker":false`); the older
 *   Athena payload omits it, which every reader deserialises as false. Same meaning either way.
 * - Types: see presto-types.ts for `timestamp(3)`.
 */

export const PRESTO_VIEW_PREFIX = '/* Presto View: ';
export const PRESTO_VIEW_SUFFIX = ' */';
export const PRESTO_VIEW_EXPANDED_TEXT = '/* Presto View */';
export const ATHENA_CATALOG = 'awsdatacatalog';

export interface PrestoViewColumn {
  readonly name: string;
  readonly type: string;
}

export interface PrestoViewDefinition {
  readonly originalSql: string;
  readonly catalog: string;
  readonly schema: string;
  readonly columns: readonly PrestoViewColumn[];
  /** Absent in what Athena writes; present in views written by a self-hosted Trino. */
  readonly owner?: string;
  readonly runAsInvoker?: boolean;
}

export function encodePrestoView(definition: PrestoViewDefinition): string {
  const json = JSON.stringify(definition);
  return `${PRESTO_VIEW_PREFIX}${Buffer.from(json, 'utf8').toString('base64')}${PRESTO_VIEW_SUFFIX}`;
}

// Node's base64 decoder skips characters it does not know, so check the alphabet first:
// otherwise a corrupted payload decodes to plausible-looking garbage instead of failing.
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

export function decodePrestoView(viewOriginalText: string): PrestoViewDefinition {
  const fail = (why: string): never => {
    throw new Error(`not an Athena/Presto view definition: ${why}`);
  };
  if (!viewOriginalText.startsWith(PRESTO_VIEW_PREFIX)) fail(`missing prefix "${PRESTO_VIEW_PREFIX}"`);
  if (!viewOriginalText.endsWith(PRESTO_VIEW_SUFFIX)) fail(`missing suffix "${PRESTO_VIEW_SUFFIX}"`);
  const payload = viewOriginalText.slice(PRESTO_VIEW_PREFIX.length, -PRESTO_VIEW_SUFFIX.length);
  if (payload.length === 0 || !BASE64.test(payload)) fail('payload is not base64');

  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(payload, 'base64').toString('utf8'));
  } catch {
    return fail('payload is not JSON');
  }
  return checkDefinition(parsed, fail);
}

function checkDefinition(value: unknown, fail: (why: string) => never): PrestoViewDefinition {
  if (!isRecord(value)) return fail('payload is not a JSON object');
  const { originalSql, catalog, schema, columns, owner, runAsInvoker } = value;
  if (typeof originalSql !== 'string') fail('originalSql is not a string');
  if (typeof catalog !== 'string') fail('catalog is not a string');
  if (typeof schema !== 'string') fail('schema is not a string');
  if (!Array.isArray(columns) || columns.length === 0) fail('columns is not a non-empty array');
  if (owner !== undefined && typeof owner !== 'string') fail('owner is not a string');
  if (runAsInvoker !== undefined && typeof runAsInvoker !== 'boolean') fail('runAsInvoker is not a boolean');

  const list: readonly unknown[] = columns;
  const checkedColumns = list.map((c, i): PrestoViewColumn => {
    if (!isRecord(c) || typeof c.name !== 'string' || typeof c.type !== 'string') {
      return fail(`columns[${i}] is not {name: string, type: string}`);
    }
    return { name: c.name, type: c.type };
  });
  return {
    originalSql,
    catalog,
    schema,
    columns: checkedColumns,
    ...(owner === undefined ? {} : { owner }),
    ...(runAsInvoker === undefined ? {} : { runAsInvoker }),
  };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
