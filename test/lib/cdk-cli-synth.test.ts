/**
 * The deploy path as a user runs it: `npx cdk synth` through the CDK CLI and cdk.json, offline,
 * with aws-cdk-lib's CloudFormation validation on and the cdk-nag checks failing the synth on any
 * unacknowledged finding. (The other stack tests synthesize in process with validation off.)
 */
import { execFile } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, tempDir } from '../support/paths.js';

const out = tempDir('cdk-out');
afterAll(() => out.cleanup());

describe('npx cdk synth', () => {
  it('synthesizes the stack offline, with validation and cdk-nag, into a template with the workers, queues and catalog', async () => {
    const { stdout, stderr } = await promisify(execFile)('npx', ['cdk', 'synth', '--quiet', '--output', out.path], {
      cwd: REPO_ROOT,
      env: { ...process.env, CDK_DISABLE_VERSION_CHECK: '1', AWS_REGION: 'us-east-1', CDK_DEFAULT_REGION: 'us-east-1' },
      maxBuffer: 32 * 1024 * 1024,
    });
    expect(`${stdout}${stderr}`).not.toMatch(/AwsSolutions-|Error/);
    const templates = readdirSync(out.path).filter((name) => name.endsWith('.template.json'));
    expect(templates).toHaveLength(1);
    const template = JSON.parse(readFileSync(join(out.path, templates[0] as string), 'utf8')) as {
      Resources: Record<string, { Type: string }>;
    };
    const types = Object.values(template.Resources).map((resource) => resource.Type);
    const count = (type: string) => types.filter((t) => t === type).length;
    expect(count('AWS::Lambda::Function')).toBeGreaterThanOrEqual(3);
    expect(count('AWS::SQS::Queue')).toBe(4);
    // Five base tables (the ledger included) and six views.
    expect(count('AWS::Glue::Table')).toBe(11);
    expect(count('AWS::Athena::WorkGroup')).toBe(1);
  }, 240_000);
});
