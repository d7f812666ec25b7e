/**
 * Synthesizes the app exactly as bin/app.ts does (configureApp: stack from context, cdk-nag
 * AwsSolutions checks), with cdk.json's context (feature flags), into a temporary cloud assembly.
 * Only aws-cdk-lib's built-in CloudFormation schema validation is off, to keep the tests fast;
 * `npx cdk synth` keeps it on. NodejsFunction bundling is real (local esbuild).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { configureApp } from '../../lib/app.js';
import type { SparkifyLakeStack } from '../../lib/sparkify-lake-stack.js';

export interface CfnResource {
  readonly Type: string;
  readonly Properties?: Record<string, any>;
  readonly Metadata?: Record<string, any>;
  readonly DependsOn?: string | string[];
  readonly DeletionPolicy?: string;
  readonly UpdateReplacePolicy?: string;
}

export interface CfnTemplate {
  readonly Resources: Record<string, CfnResource>;
  readonly Outputs?: Record<string, { Value: unknown; Description?: string }>;
}

export interface ValidationReport {
  readonly pluginReports: readonly { pluginName: string; conclusion: string; violations: readonly unknown[] }[];
}

export interface Synthesized {
  readonly stack: SparkifyLakeStack;
  readonly template: Template;
  readonly json: CfnTemplate;
  /** The cloud assembly directory (bundled assets included). */
  readonly outdir: string;
  /** validation-report.json when a plugin reported anything, else undefined. */
  readonly report: ValidationReport | undefined;
  readonly seconds: number;
  readonly cleanup: () => void;
}

export function cdkJsonContext(): Record<string, unknown> {
  const cdkJson = JSON.parse(readFileSync(new URL('../../cdk.json', import.meta.url), 'utf8')) as {
    context: Record<string, unknown>;
  };
  return cdkJson.context;
}

export function synthesize(extraContext: Record<string, string> = {}): Synthesized {
  const started = performance.now();
  const outdir = mkdtempSync(join(tmpdir(), 'sparkify-cdk-test-'));
  const app = new App({
    context: { ...cdkJsonContext(), ...extraContext },
    outdir,
    builtinCloudFormationValidation: false,
  });
  const stack = configureApp(app);
  const assembly = app.synth();
  const artifact = assembly.getStackArtifact(stack.artifactId);
  const json = JSON.parse(readFileSync(artifact.templateFullPath, 'utf8')) as CfnTemplate;
  let report: ValidationReport | undefined;
  try {
    report = JSON.parse(readFileSync(join(outdir, 'validation-report.json'), 'utf8')) as ValidationReport;
  } catch {
    report = undefined;
  }
  return {
    stack,
    template: Template.fromJSON(json as unknown as Record<string, unknown>),
    json,
    outdir,
    report,
    seconds: (performance.now() - started) / 1000,
    cleanup: () => rmSync(outdir, { recursive: true, force: true }),
  };
}

/** [logicalId, resource] of every resource of a type. */
export function resourcesOfType(json: CfnTemplate, type: string): [string, CfnResource][] {
  return Object.entries(json.Resources).filter(([, r]) => r.Type === type);
}

export function resource(json: CfnTemplate, logicalId: string): CfnResource {
  const found = json.Resources[logicalId];
  if (!found) throw new Error(`no resource ${logicalId}`);
  return found;
}

/** The logical id a `{ Ref }` or `{ Fn::GetAtt }` points at. */
export function referencedId(value: unknown): string {
  const v = value as { Ref?: string; 'Fn::GetAtt'?: [string, string] };
  const id = v.Ref ?? v['Fn::GetAtt']?.[0];
  if (!id) throw new Error(`not a reference: ${JSON.stringify(value)}`);
  return id;
}

/** The logical id of the construct at this path (e.g. `stack.queues.song.queue`). */
export function logicalIdOf(stack: SparkifyLakeStack, element: { node: { defaultChild?: unknown } } | unknown): string {
  const cfn = ((element as { node?: { defaultChild?: unknown } }).node?.defaultChild ?? element) as Parameters<
    SparkifyLakeStack['getLogicalId']
  >[0];
  return stack.resolve(stack.getLogicalId(cfn)) as string;
}

/** True when the value is a `{ Ref }` or `{ Fn::GetAtt }` to this logical id. */
export function refersTo(value: unknown, logicalId: string): boolean {
  const v = value as { Ref?: string; 'Fn::GetAtt'?: [string, string] } | undefined;
  return typeof v === 'object' && v !== null && (v.Ref ?? v['Fn::GetAtt']?.[0]) === logicalId;
}

/** The directory of a function's bundled code in the cloud assembly. */
export function assetDirectory(outdir: string, fn: CfnResource): string {
  const key = fn.Properties?.Code?.S3Key as string | undefined;
  const hash = key?.replace(/\.zip$/, '');
  if (!hash) throw new Error('function code is not an asset');
  return `${outdir}/asset.${hash}`;
}

/**
 * A CloudFormation value as a string, references written `<LogicalId>` / `<LogicalId.Attr>`,
 * pseudo parameters `<AWS::Region>`, joins joined: easy to compare with expected ARNs.
 */
export function flatten(value: unknown): string {
  if (typeof value === 'string') return value;
  const v = value as Record<string, any>;
  if (v['Fn::Join']) return (v['Fn::Join'][1] as unknown[]).map(flatten).join(v['Fn::Join'][0] as string);
  if (v['Fn::GetAtt']) return `<${v['Fn::GetAtt'][0]}.${v['Fn::GetAtt'][1]}>`;
  if (v.Ref) return `<${v.Ref}>`;
  return JSON.stringify(value);
}
