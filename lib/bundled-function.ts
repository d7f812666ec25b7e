/**
 * A Lambda function of this repo, the way every one of them is built: TypeScript bundled locally
 * by esbuild (no Docker) into one minified ESM file with a source map, the AWS SDK included, on the
 * newest Node.js runtime, arm64, with its own log group (retention set) and its own role that has
 * no managed policy: only what the caller adds, plus writing to that log group.
 */
import { fileURLToPath } from 'node:url';
import type { Duration } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { LAMBDA_LOG_RETENTION_DAYS } from './settings.js';

/** Newest Node.js runtime in aws-cdk-lib 2.276 (cdk-nag's AwsSolutions-L1 wants the newest). */
export const WORKER_RUNTIME = lambda.Runtime.NODEJS_24_X;

export const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url));

/**
 * esbuild turns the bundled CommonJS dependencies into `require` calls that ESM has no global
 * for; this banner defines one (aliased so it cannot clash with a bundled identifier).
 */
export const ESM_REQUIRE_BANNER =
  "import { createRequire as __sparkifyCreateRequire } from 'node:module'; const require = __sparkifyCreateRequire(import.meta.url);";

export interface BundledFunctionProps {
  /** Entry file, relative to the repository root, exporting `handler`. */
  readonly entry: string;
  readonly description: string;
  /** What the role is for, in a sentence. */
  readonly roleDescription: string;
  readonly memorySizeMb: number;
  readonly timeout: Duration;
  readonly environment: Record<string, string>;
  readonly reservedConcurrentExecutions?: number;
  /** Retries of asynchronous invocations (Lambda's default is 2). */
  readonly retryAttempts?: number;
}

export interface BundledFunction {
  readonly function: NodejsFunction;
  readonly role: iam.Role;
  readonly logGroup: logs.LogGroup;
}

/** Creates `LogGroup`, `Role` and `Function` in the scope. */
export function bundledFunction(scope: Construct, props: BundledFunctionProps): BundledFunction {
  const logGroup = new logs.LogGroup(scope, 'LogGroup', { retention: LAMBDA_LOG_RETENTION_DAYS as logs.RetentionDays });
  const role = new iam.Role(scope, 'Role', {
    assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
    description: props.roleDescription,
  });
  role.addToPrincipalPolicy(
    new iam.PolicyStatement({
      sid: 'WriteOwnLogGroup',
      actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
      resources: [logGroup.logGroupArn],
    }),
  );
  const fn = new NodejsFunction(scope, 'Function', {
    description: props.description,
    entry: `${REPO_ROOT}${props.entry}`,
    handler: 'handler',
    projectRoot: REPO_ROOT,
    depsLockFilePath: `${REPO_ROOT}package-lock.json`,
    runtime: WORKER_RUNTIME,
    architecture: lambda.Architecture.ARM_64,
    memorySize: props.memorySizeMb,
    timeout: props.timeout,
    role,
    logGroup,
    reservedConcurrentExecutions: props.reservedConcurrentExecutions,
    retryAttempts: props.retryAttempts,
    environment: {
      ...props.environment,
      POWERTOOLS_LOG_LEVEL: 'INFO',
      // Stack traces in the logs point at lambdas/ and src/ lines, through the bundled source map.
      NODE_OPTIONS: '--enable-source-maps',
    },
    bundling: {
      format: OutputFormat.ESM,
      banner: ESM_REQUIRE_BANNER,
      mainFields: ['module', 'main'],
      minify: true,
      sourceMap: true,
      sourcesContent: false,
      // Ship the SDK versions the code was tested with (package-lock.json), not whatever version
      // the runtime happens to carry.
      bundleAwsSDK: true,
      externalModules: [],
      forceDockerBundling: false,
    },
  });
  return { function: fn, role, logGroup };
}

/** The role's default policy (created by the first statement added to the role). */
export function defaultPolicyOf(role: iam.Role): Construct {
  const policy = role.node.tryFindChild('DefaultPolicy');
  if (!policy) throw new Error(`${role.node.path} has no default policy`);
  return policy as Construct;
}
