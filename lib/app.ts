/**
 * The app as `cdk synth` builds it (bin/app.ts) and as the tests build it: the stack configured
 * from context, and cdk-nag's AwsSolutions checks, whose findings fail the synth unless each one is
 * acknowledged with a reason next to the construct it concerns.
 */
import { Validations, type App } from 'aws-cdk-lib';
import { Schedule } from 'aws-cdk-lib/aws-events';
import { AwsSolutionsChecks } from 'cdk-nag';
import { SparkifyLakeStack } from './sparkify-lake-stack.js';

/** Context keys, set with `-c key=value` on the cdk command line (docs/OPERATIONS.md). */
export const CONTEXT_KEYS = {
  stackName: 'stackName',
  inputBucket: 'inputBucket',
  glueDatabase: 'glueDatabase',
  athenaWorkGroup: 'athenaWorkGroup',
  alarmTopicArn: 'alarmTopicArn',
  compactionSchedule: 'compactionSchedule',
} as const;

export const DEFAULT_STACK_NAME = 'SparkifyLake';

const BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

function contextString(app: App, key: string): string | undefined {
  const value: unknown = app.node.tryGetContext(key);
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string') throw new Error(`context ${key} must be a string, got ${JSON.stringify(value)}`);
  return value;
}

/** `rate(6 hours)` or `cron(30 3 * * ? *)`, as EventBridge writes schedules. */
function compactionScheduleOf(expression: string | undefined): Schedule | undefined {
  if (expression === undefined) return undefined;
  if (!/^(rate\(\d+ (minute|minutes|hour|hours|day|days)\)|cron\([^()]+\))$/.test(expression)) {
    throw new Error(
      `-c compactionSchedule=${expression} is not an EventBridge schedule expression like "rate(6 hours)" or "cron(30 3 * * ? *)"`,
    );
  }
  return Schedule.expression(expression);
}

export function configureApp(app: App): SparkifyLakeStack {
  const inputBucketName = contextString(app, CONTEXT_KEYS.inputBucket);
  if (inputBucketName !== undefined && !BUCKET_NAME.test(inputBucketName)) {
    throw new Error(`-c inputBucket=${inputBucketName} is not an S3 bucket name`);
  }
  const stack = new SparkifyLakeStack(app, contextString(app, CONTEXT_KEYS.stackName) ?? DEFAULT_STACK_NAME, {
    inputBucketName,
    glueDatabaseName: contextString(app, CONTEXT_KEYS.glueDatabase),
    athenaWorkGroupName: contextString(app, CONTEXT_KEYS.athenaWorkGroup),
    alarmTopicArn: contextString(app, CONTEXT_KEYS.alarmTopicArn),
    compactionSchedule: compactionScheduleOf(contextString(app, CONTEXT_KEYS.compactionSchedule)),
  });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  return stack;
}
