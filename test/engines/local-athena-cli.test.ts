/**
 * What `sparkify-lake query --engine trino` does without the engines, and the pieces of the local
 * Athena that need no server (the CloudFormation resolver). The engines themselves are tested in
 * test/athena-local, which fails when they are missing.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { resolveCfn, UnresolvableError } from '../../src/athena-local/cfn.js';
import { EnginesMissingError, findEngines, findJava } from '../../src/athena-local/engines.js';
import { markLakeFolder } from '../../src/local/lake-folder.js';
import { runCli } from '../support/cli.js';
import { tempDir } from '../support/paths.js';

const saved = { engines: process.env.SPARKIFY_ENGINES_DIR, state: process.env.SPARKIFY_LOCAL_ATHENA_DIR };
afterEach(() => {
  for (const [name, value] of [
    ['SPARKIFY_ENGINES_DIR', saved.engines],
    ['SPARKIFY_LOCAL_ATHENA_DIR', saved.state],
  ] as const) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
});

describe('query --engine trino without the engines', () => {
  it('fails with the install command in the message, and starts nothing', async () => {
    const dir = tempDir('no-engines');
    process.env.SPARKIFY_ENGINES_DIR = dir.path;
    process.env.SPARKIFY_LOCAL_ATHENA_DIR = dir.path;
    try {
      // A real (empty) lake, so that the lake check passes and the engine check is what answers.
      const lake = join(dir.path, 'lake');
      await markLakeFolder(lake, 'ingest');
      const run = await runCli('query', '--engine', 'trino', '--lake', lake, 'SELECT 1');
      expect(run.code).toBe(1);
      expect(run.err).toMatch(/not installed: missing Trino 476 .*moto 5\.2\.5/);
      expect(run.err).toContain('npm run engines:install');
    } finally {
      dir.cleanup();
    }
  });

  it('without a new enough Java: says which Java Trino needs and where it looked, beside the install command', () => {
    const noJdks = tempDir('no-jdks');
    try {
      const tooOld = '/usr/lib/jvm/java-17-openjdk-amd64';
      expect(findJava(17, { JAVA_HOME: tooOld }, noJdks.path)?.version).toBe(17);
      expect(findJava(24, { JAVA_HOME: tooOld }, noJdks.path)).toBeUndefined();
      const missing = () => findEngines({ JAVA_HOME: tooOld }, noJdks.path);
      expect(missing).toThrow(EnginesMissingError);
      expect(missing).toThrow(`a Java 24+ runtime for Trino 476 (none in JAVA_HOME or ${noJdks.path};`);
      expect(missing).toThrow('npm run engines:install');
    } finally {
      noJdks.cleanup();
    }
  });

  it('--stop with nothing running says so', async () => {
    const dir = tempDir('no-service');
    process.env.SPARKIFY_LOCAL_ATHENA_DIR = dir.path;
    try {
      expect(await runCli('query', '--engine', 'trino', '--stop')).toEqual({
        code: 0,
        out: '',
        err: 'no local Athena was running',
      });
    } finally {
      dir.cleanup();
    }
  });

  it.each([
    [['query', '--engine', 'presto', '--lake', 'x', 'SELECT 1'], /--engine must be duckdb or trino/],
    [['query', '--stop'], /--stop goes with --engine trino/],
    [['query', '--engine', 'trino', '--stop', 'SELECT 1'], /--stop takes no SQL/],
  ])('usage error: %j', async (argv, message) => {
    const run = await runCli(...argv);
    expect(run.code).toBe(2);
    expect(run.err).toMatch(message);
  });
});

describe('resolveCfn', () => {
  const env = {
    accountId: '123456789012',
    region: 'us-east-1',
    refs: { Lake: 'lake-bucket' },
    attributes: { 'Queue.Arn': 'arn:aws:sqs:us-east-1:123456789012:q' },
  };

  it('resolves Ref, pseudo parameters, Fn::GetAtt, Fn::Join, Fn::Sub, Fn::Select and Fn::Split inside any structure', () => {
    expect(
      resolveCfn(
        {
          Location: { 'Fn::Join': ['', ['s3://', { Ref: 'Lake' }, '/base_plays/']] },
          CatalogId: { Ref: 'AWS::AccountId' },
          Arn: { 'Fn::GetAtt': ['Queue', 'Arn'] },
          // biome-ignore lint/suspicious/noTemplateCurlyInString: CloudFormation's Fn::Sub syntax, not a template literal.
          Sub: { 'Fn::Sub': 'arn:${AWS::Partition}:s3:::${Lake}/${Prefix}' },
          // biome-ignore lint/suspicious/noTemplateCurlyInString: CloudFormation's Fn::Sub syntax, not a template literal.
          SubVars: { 'Fn::Sub': ['${A}-${AWS::Region}', { A: { Ref: 'Lake' } }] },
          Pick: { 'Fn::Select': [1, { 'Fn::Split': ['/', 'a/b/c'] }] },
          List: [1, true, null, 'x'],
        },
        { ...env, refs: { ...env.refs, Prefix: 'p' } },
      ),
    ).toEqual({
      Location: 's3://lake-bucket/base_plays/',
      CatalogId: '123456789012',
      Arn: 'arn:aws:sqs:us-east-1:123456789012:q',
      Sub: 'arn:aws:s3:::lake-bucket/p',
      SubVars: 'lake-bucket-us-east-1',
      Pick: 'b',
      List: [1, true, null, 'x'],
    });
  });

  it('fails loudly on what it cannot resolve', () => {
    expect(() => resolveCfn({ Ref: 'Unknown' }, env)).toThrow(UnresolvableError);
    expect(() => resolveCfn({ 'Fn::ImportValue': 'x' }, env)).toThrow(/not supported/);
  });
});
