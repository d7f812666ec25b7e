/**
 * Summarises a V8 .cpuprofile (from `node --cpu-prof`): the functions with the most self time, and
 * the same grouped by package / source folder. Usage:
 *   tsx bench/profile-summary.ts <file.cpuprofile> [--top N] [--inclusive fnA,fnB,...]
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

interface ProfileNode {
  readonly id: number;
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
  readonly hitCount?: number;
  readonly children?: readonly number[];
}

interface CpuProfile {
  readonly nodes: readonly ProfileNode[];
  readonly startTime: number;
  readonly endTime: number;
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

export interface SelfTime {
  readonly name: string;
  readonly where: string;
  readonly micros: number;
}

/** Self time per function (µs), from the sample deltas (more exact than hitCount × interval). */
export function selfTimes(profile: CpuProfile): { functions: SelfTime[]; groups: SelfTime[]; totalMicros: number } {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const micros = new Map<number, number>();
  for (let i = 0; i < profile.samples.length; i++) {
    const id = profile.samples[i] as number;
    const delta = profile.timeDeltas[i + 1] ?? 0;
    micros.set(id, (micros.get(id) ?? 0) + delta);
  }
  const functions = new Map<string, SelfTime>();
  const groups = new Map<string, SelfTime>();
  let totalMicros = 0;
  for (const [id, time] of micros) {
    const node = byId.get(id);
    if (!node) continue;
    totalMicros += time;
    const { functionName, url, lineNumber } = node.callFrame;
    const file = shortUrl(url);
    const name = functionName || '(anonymous)';
    const where = file ? `${file}:${lineNumber + 1}` : '';
    const key = `${name} ${where}`;
    functions.set(key, { name, where, micros: (functions.get(key)?.micros ?? 0) + time });
    const group = groupOf(url, name);
    groups.set(group, { name: group, where: '', micros: (groups.get(group)?.micros ?? 0) + time });
  }
  const sorted = (map: Map<string, SelfTime>) => [...map.values()].sort((a, b) => b.micros - a.micros);
  return { functions: sorted(functions), groups: sorted(groups), totalMicros };
}

/**
 * Inclusive time (µs) of each named function: the samples whose stack holds a frame of that name,
 * each sample counted once per name however deep the recursion.
 */
export function inclusiveTimes(profile: CpuProfile, names: readonly string[]): Map<string, number> {
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const wanted = new Set(names);
  const totals = new Map<string, number>(names.map((name) => [name, 0]));
  const stackNames = new Map<number, Set<string>>();
  const namesOf = (id: number): Set<string> => {
    let found = stackNames.get(id);
    if (found) return found;
    found = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const name = byId.get(at)?.callFrame.functionName;
      if (name && wanted.has(name)) found.add(name);
    }
    stackNames.set(id, found);
    return found;
  };
  for (let i = 0; i < profile.samples.length; i++) {
    const delta = profile.timeDeltas[i + 1] ?? 0;
    for (const name of namesOf(profile.samples[i] as number)) totals.set(name, (totals.get(name) ?? 0) + delta);
  }
  return totals;
}

function shortUrl(url: string): string {
  const clean = url.replace(/^file:\/\//, '');
  const modules = clean.lastIndexOf('node_modules/');
  if (modules !== -1) return clean.slice(modules + 'node_modules/'.length);
  const repo = clean.search(/\/(src|lambdas|bench|lib)\//);
  return repo === -1 ? clean : clean.slice(repo + 1);
}

function groupOf(url: string, name: string): string {
  if (!url) return name.startsWith('(') ? name : '(native / V8 builtins)';
  const clean = url.replace(/^file:\/\//, '');
  const modules = clean.lastIndexOf('node_modules/');
  if (modules !== -1) {
    const parts = clean.slice(modules + 'node_modules/'.length).split('/');
    return parts[0]?.startsWith('@') ? `${parts[0]}/${parts[1]}` : (parts[0] as string);
  }
  if (clean.startsWith('node:')) return 'node: (Node.js internals)';
  const own = /\/(src\/[^/]+|lambdas|bench)\//.exec(clean);
  return own ? (own[1] as string) : clean;
}

function main(): void {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { top: { type: 'string', default: '20' }, inclusive: { type: 'string' } },
  });
  const file = positionals[0];
  if (!file) {
    console.error('usage: tsx bench/profile-summary.ts <file.cpuprofile> [--top N]');
    process.exit(2);
  }
  const top = Number(values.top);
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const { functions, groups, totalMicros } = selfTimes(profile);
  const pct = (m: number) => `${((100 * m) / totalMicros).toFixed(1).padStart(5)}%`;
  const ms = (m: number) => `${(m / 1000).toFixed(0).padStart(7)} ms`;
  console.log(`profile ${file}: ${(totalMicros / 1e6).toFixed(2)} s sampled`);
  console.log(`\ntop ${top} functions by self time:`);
  for (const f of functions.slice(0, top)) console.log(`${pct(f.micros)} ${ms(f.micros)}  ${f.name}  ${f.where}`);
  console.log('\nself time by package / folder:');
  for (const g of groups.slice(0, 15)) console.log(`${pct(g.micros)} ${ms(g.micros)}  ${g.name}`);
  if (values.inclusive) {
    console.log('\ninclusive time (the function and everything it calls):');
    for (const [name, micros] of inclusiveTimes(profile, values.inclusive.split(',')))
      console.log(`${pct(micros)} ${ms(micros)}  ${name}`);
  }
}

if (import.meta.url === `file://${process.argv[1]}`) main();
