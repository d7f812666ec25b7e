/**
 * The Lambda bundles as the stack builds them (lib/bundled-function.ts → NodejsFunction → esbuild):
 * `--bundle --platform=node --format=esm --target=node<runtime> --minify --sourcemap
 * --sources-content=false --main-fields=module,main --banner:js=<createRequire banner>`, AWS SDK
 * bundled (no externals). Reports each bundle's size, its biggest inputs, and its module
 * initialisation time in fresh Node processes.
 */
import { spawnSync } from 'node:child_process';
import { mkdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build, type Metafile } from 'esbuild';
import { COMPACTION_ENTRY, SOURCE_KIND_FACTS, SOURCE_KINDS } from '../src/contract/index.js';
import { median } from './support.js';

/** The stack's functions (src/contract): the song and log workers, then compaction. */
export const LAMBDA_ENTRIES: readonly string[] = [
  ...SOURCE_KINDS.map((kind) => SOURCE_KIND_FACTS[kind].workerEntry),
  COMPACTION_ENTRY,
];

export interface BundleOptions {
  readonly banner: string;
  readonly target: string;
  /** Where the options came from, for the report. */
  readonly source: string;
}

/** The stack's own bundling settings, read from the CDK code so they cannot drift. */
export async function stackBundleOptions(): Promise<BundleOptions> {
  const lib = await import('../lib/bundled-function.js');
  const match = /^nodejs(\d+)/.exec(lib.WORKER_RUNTIME.name);
  if (!match) throw new Error(`cannot derive an esbuild target from runtime ${lib.WORKER_RUNTIME.name}`);
  return {
    banner: lib.ESM_REQUIRE_BANNER,
    target: `node${match[1]}`,
    source: `lib/bundled-function.ts (runtime ${lib.WORKER_RUNTIME.name})`,
  };
}

export interface Contributor {
  readonly name: string;
  readonly bytes: number;
}

export interface InitTimes {
  /** Import time inside the process, ms, one per fresh process. */
  readonly samples: readonly number[];
  readonly medianMs: number;
}

export interface BundleReport {
  readonly entry: string;
  readonly file: string;
  readonly bytes: number;
  readonly sourceMapBytes: number;
  readonly buildMs: number;
  readonly contributors: readonly Contributor[];
  /** With NODE_OPTIONS=--enable-source-maps, as the stack deploys the functions. */
  readonly initWithSourceMaps: InitTimes;
  /** Without it. */
  readonly initPlain: InitTimes;
}

export async function buildBundle(
  repoRoot: string,
  entry: string,
  outDir: string,
  options: BundleOptions,
): Promise<{ file: string; metafile: Metafile; buildMs: number }> {
  const name = entry.replace(/^lambdas\//, '').replace(/\.ts$/, '');
  const dir = join(outDir, name);
  await mkdir(dir, { recursive: true });
  const file = join(dir, 'index.mjs');
  const started = performance.now();
  const result = await build({
    absWorkingDir: repoRoot,
    entryPoints: [entry],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: options.target,
    outfile: file,
    minify: true,
    sourcemap: true,
    sourcesContent: false,
    mainFields: ['module', 'main'],
    banner: { js: options.banner },
    external: [],
    metafile: true,
    logLevel: 'silent',
  });
  return { file, metafile: result.metafile, buildMs: performance.now() - started };
}

/** Bytes in the output per package (node_modules/<pkg> or @scope/pkg), own code as one entry. */
export function contributors(metafile: Metafile): Contributor[] {
  const totals = new Map<string, number>();
  for (const output of Object.values(metafile.outputs)) {
    for (const [path, { bytesInOutput }] of Object.entries(output.inputs)) {
      const modules = path.lastIndexOf('node_modules/');
      let name: string;
      if (modules === -1) name = '(own code: lambdas/, src/)';
      else {
        const parts = path.slice(modules + 'node_modules/'.length).split('/');
        name = parts[0]?.startsWith('@') ? `${parts[0]}/${parts[1]}` : (parts[0] as string);
      }
      totals.set(name, (totals.get(name) ?? 0) + bytesInOutput);
    }
  }
  return [...totals].map(([name, bytes]) => ({ name, bytes })).sort((a, b) => b.bytes - a.bytes);
}

/**
 * Module initialisation of a bundle: `performance.now()` around `await import(bundle)` inside a
 * fresh `node` process, with the environment the stack sets, repeated in fresh processes.
 */
export function measureInit(file: string, runs: number, sourceMaps: boolean): InitTimes {
  const script =
    `const t = performance.now(); await import(${JSON.stringify(pathToFileURL(file).href)}); ` +
    `process.stdout.write(JSON.stringify({ ms: performance.now() - t }));`;
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      LAKE_BUCKET: 'bench-lake-bucket',
      GLUE_DATABASE: 'bench_glue_database',
      PROCESS_IN_PARALLEL: 'false',
      AWS_REGION: 'us-east-1',
      POWERTOOLS_LOG_LEVEL: 'INFO',
      ...(sourceMaps ? { NODE_OPTIONS: '--enable-source-maps' } : {}),
    };
    const child = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
      env,
      encoding: 'utf8',
      timeout: 60_000,
    });
    if (child.status !== 0) throw new Error(`importing ${file} failed (exit ${child.status}): ${child.stderr}`);
    samples.push((JSON.parse(child.stdout) as { ms: number }).ms);
  }
  return { samples, medianMs: median(samples) };
}

export async function bundleReports(
  repoRoot: string,
  outDir: string,
  initRuns: number,
): Promise<{ options: BundleOptions; reports: BundleReport[] }> {
  const options = await stackBundleOptions();
  const reports: BundleReport[] = [];
  for (const entry of LAMBDA_ENTRIES) {
    const { file, metafile, buildMs } = await buildBundle(repoRoot, entry, outDir, options);
    // Alternate the two settings so that machine load hits both alike.
    const withMaps: number[] = [];
    const plain: number[] = [];
    // The deployed setting gets the full count; the comparison without source maps a third of it.
    for (let i = 0; i < initRuns; i++) {
      withMaps.push(...measureInit(file, 1, true).samples);
      if (i % 3 === 0) plain.push(...measureInit(file, 1, false).samples);
    }
    reports.push({
      entry,
      file,
      bytes: (await stat(file)).size,
      sourceMapBytes: (await stat(`${file}.map`)).size,
      buildMs,
      contributors: contributors(metafile),
      initWithSourceMaps: { samples: withMaps, medianMs: median(withMaps) },
      initPlain: { samples: plain, medianMs: median(plain) },
    });
  }
  return { options, reports };
}
