/** What every section of the bench gets: the settings, the dataset, the verifier, and where the lakes go. */
import { join } from 'node:path';
import type { DatasetInfo } from '../dataset.js';
import type { Settings } from '../settings.js';
import type { Verifier } from '../verify.js';

export interface BenchContext {
  readonly repoRoot: string;
  readonly settings: Settings;
  readonly data: DatasetInfo;
  readonly verifier: Verifier;
}

/** The lake folder of one engine or section, under the work dir. */
export function lakeOf(context: BenchContext, name: string): string {
  return join(context.settings.workDir, 'lakes', name);
}
