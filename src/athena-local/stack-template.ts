/**
 * The synthesized CloudFormation template of the stack, as the local Athena reads it: the Glue
 * database and tables, the Athena named queries, the landing bucket's notification configuration
 * and the queues, exactly as `cdk deploy` would create them. Nothing here restates a definition.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { CONTEXT_KEYS, configureApp } from '../../lib/app.js';
import type { CfnEnvironment } from './cfn.js';
import { PACKAGE_ROOT } from './engines.js';

/** A CloudFormation value: anything JSON, intrinsics included. */
export type CfnValue = unknown;

export interface CfnResource {
  readonly Type: string;
  readonly Properties?: Record<string, CfnValue>;
}

export interface CfnTemplateJson {
  readonly Resources: Record<string, CfnResource>;
  readonly Outputs?: Record<string, { readonly Value: CfnValue }>;
}

export interface SynthOptions {
  /** The Glue database name (context glueDatabase); the default is the stack's. */
  readonly glueDatabase?: string;
}

/**
 * Synthesizes the app as bin/app.ts does (same context from cdk.json, same cdk-nag checks), with
 * asset bundling skipped: the Lambda code is not needed to read the template's definitions.
 */
export function synthesizeTemplate(options: SynthOptions = {}): CfnTemplateJson {
  const cdkJson = JSON.parse(readFileSync(join(PACKAGE_ROOT, 'cdk.json'), 'utf8')) as {
    context: Record<string, unknown>;
  };
  const outdir = mkdtempSync(join(tmpdir(), 'sparkify-local-athena-synth-'));
  try {
    const context: Record<string, unknown> = { ...cdkJson.context, 'aws:cdk:bundling-stacks': [] };
    if (options.glueDatabase) context[CONTEXT_KEYS.glueDatabase] = options.glueDatabase;
    const app = new App({ context, outdir, builtinCloudFormationValidation: false });
    const stack = configureApp(app);
    const assembly = app.synth();
    return JSON.parse(
      readFileSync(assembly.getStackArtifact(stack.artifactId).templateFullPath, 'utf8'),
    ) as CfnTemplateJson;
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

export class StackTemplate {
  constructor(readonly json: CfnTemplateJson) {}

  resources(type: string): [string, CfnResource][] {
    return Object.entries(this.json.Resources).filter(([, r]) => r.Type === type);
  }

  /** The logical id an output's `{ Ref }` names (e.g. LakeBucketName → the lake bucket). */
  outputRef(output: string): string {
    const value = this.json.Outputs?.[output]?.Value as { Ref?: string } | undefined;
    if (!value?.Ref) throw new Error(`template output ${output} is not a { Ref }`);
    return value.Ref;
  }

  property<T = CfnValue>(logicalId: string, name: string): T {
    const resource = this.json.Resources[logicalId];
    if (!resource) throw new Error(`no resource ${logicalId} in the template`);
    return resource.Properties?.[name] as T;
  }
}

export interface LocalNames {
  /** The lake bucket's name in the emulator (template output LakeBucketName). */
  readonly lakeBucket: string;
  /** The landing bucket's name (template output LandingBucketName), when the test creates it. */
  readonly landingBucket?: string;
  /** Queue logical id → its URL and ARN in the emulator. */
  readonly queues?: Readonly<Record<string, { readonly url: string; readonly arn: string }>>;
}

/**
 * How the template's references resolve in the emulator: the two buckets by the names given, every
 * other bucket `local-<logical id>`, queues as created, account and region moto's.
 */
export function localCfnEnvironment(
  template: StackTemplate,
  names: LocalNames,
  account: { accountId: string; region: string },
): CfnEnvironment {
  const refs: Record<string, string> = {};
  const attributes: Record<string, string> = {};
  for (const [logicalId] of template.resources('AWS::S3::Bucket'))
    refs[logicalId] = `local-${logicalId.toLowerCase()}`.slice(0, 63);
  refs[template.outputRef('LakeBucketName')] = names.lakeBucket;
  if (names.landingBucket) refs[template.outputRef('LandingBucketName')] = names.landingBucket;
  for (const [logicalId, queue] of Object.entries(names.queues ?? {})) {
    refs[logicalId] = queue.url;
    attributes[`${logicalId}.Arn`] = queue.arn;
    attributes[`${logicalId}.QueueUrl`] = queue.url;
  }
  for (const [logicalId] of template.resources('AWS::S3::Bucket')) {
    const name = refs[logicalId] as string;
    attributes[`${logicalId}.Arn`] = `arn:aws:s3:::${name}`;
  }
  return { ...account, refs, attributes };
}
