/**
 * Where the engines of the local Athena are, as installed by `npm run engines:install`
 * (scripts/engines/install.sh, pinned in scripts/engines/engines.json), and which Java runs Trino.
 * Nothing here downloads anything: a missing engine is an error that names the install command.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const INSTALL_COMMAND = 'npm run engines:install';

export const PACKAGE_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

interface Pins {
  readonly trino: { readonly version: string; readonly minimumJava: number };
  readonly moto: { readonly version: string };
}

export function enginePins(): Pins {
  return JSON.parse(readFileSync(join(PACKAGE_ROOT, 'scripts', 'engines', 'engines.json'), 'utf8')) as Pins;
}

export interface Engines {
  readonly trinoVersion: string;
  /** The unpacked Trino server: lib/ and plugin/hive. */
  readonly trinoHome: string;
  readonly javaHome: string;
  readonly javaVersion: number;
  readonly motoVersion: string;
  /** The moto_server executable of the engines' virtual environment. */
  readonly motoServer: string;
}

export class EnginesMissingError extends Error {}

/** The engines folder: SPARKIFY_ENGINES_DIR, or .engines/ at the repository root. */
export function enginesDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.SPARKIFY_ENGINES_DIR || join(PACKAGE_ROOT, '.engines');
}

/** Where Debian and Ubuntu install JDKs, one folder each. */
const JVM_ROOT = '/usr/lib/jvm';

/**
 * The installed engines, or an EnginesMissingError saying what is missing and how to install it.
 * `jvmRoot` is where JDKs are looked for beside JAVA_HOME (tests point it elsewhere).
 */
export function findEngines(env: NodeJS.ProcessEnv = process.env, jvmRoot = JVM_ROOT): Engines {
  const pins = enginePins();
  const dir = enginesDir(env);
  const trinoHome = join(dir, `trino-${pins.trino.version}`);
  const motoServer = join(dir, `moto-${pins.moto.version}`, 'venv', 'bin', 'moto_server');
  const missing: string[] = [];
  if (!existsSync(join(trinoHome, '.installed')))
    missing.push(`Trino ${pins.trino.version} (expected in ${trinoHome})`);
  if (!existsSync(motoServer)) missing.push(`moto ${pins.moto.version} (expected ${motoServer})`);
  const java = findJava(pins.trino.minimumJava, env, jvmRoot);
  if (!java) {
    missing.push(
      `a Java ${pins.trino.minimumJava}+ runtime for Trino ${pins.trino.version} (none in JAVA_HOME or ${jvmRoot}; install a JDK ${pins.trino.minimumJava} or newer, e.g. Temurin 25, and set JAVA_HOME)`,
    );
  }
  if (missing.length > 0 || !java) {
    throw new EnginesMissingError(
      `the local Athena engines are not installed: missing ${missing.join('; ')}. Run \`${INSTALL_COMMAND}\` in ${PACKAGE_ROOT} first.`,
    );
  }
  return {
    trinoVersion: pins.trino.version,
    trinoHome,
    javaHome: java.home,
    javaVersion: java.version,
    motoVersion: pins.moto.version,
    motoServer,
  };
}

/** JAVA_HOME when it is new enough, else the newest JDK under `jvmRoot` (/usr/lib/jvm) that is. */
export function findJava(
  minimum: number,
  env: NodeJS.ProcessEnv = process.env,
  jvmRoot = JVM_ROOT,
): { home: string; version: number } | undefined {
  const candidates: string[] = [];
  if (env.JAVA_HOME) candidates.push(env.JAVA_HOME);
  if (existsSync(jvmRoot)) candidates.push(...readdirSync(jvmRoot).map((name) => join(jvmRoot, name)));
  const found = candidates
    .map((home) => ({ home, version: javaVersion(home) }))
    .filter((java): java is { home: string; version: number } => java.version !== undefined && java.version >= minimum);
  if (env.JAVA_HOME && found[0]?.home === env.JAVA_HOME) return found[0];
  return found.sort((a, b) => b.version - a.version)[0];
}

function javaVersion(home: string): number | undefined {
  const java = join(home, 'bin', 'java');
  if (!existsSync(java)) return undefined;
  // `java -version` prints to stderr: openjdk version "25.0.1" 2025-10-21
  const run = spawnSync(java, ['-version'], { encoding: 'utf8', timeout: 20_000 });
  return parseJavaVersion(`${run.stderr ?? ''}${run.stdout ?? ''}`);
}

function parseJavaVersion(text: string): number | undefined {
  const match = /version "(\d+)(?:\.(\d+))?/.exec(text);
  if (!match) return undefined;
  const major = Number(match[1]);
  return major === 1 ? Number(match[2]) : major;
}
