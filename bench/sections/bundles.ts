/** The Lambda bundles as the stack builds them: size, biggest packages, module initialisation time. */
import { join } from 'node:path';
import type { BundleReport } from '../bundles.js';
import { out, section } from '../output.js';
import { MiB, table } from '../support.js';
import type { BenchContext } from './context.js';

export async function bundlesSection(context: BenchContext): Promise<readonly BundleReport[]> {
  const { settings, repoRoot } = context;
  section(
    `Lambda bundles (esbuild as the stack bundles them; init = median of ${settings.initRuns} fresh processes, ${Math.ceil(settings.initRuns / 3)} without source maps)`,
  );
  const { bundleReports } = await import('../bundles.js');
  const built = await bundleReports(repoRoot, join(settings.workDir, 'bundles'), settings.initRuns);
  out(
    `  options from ${built.options.source}: bundle, platform node, format esm, target ${built.options.target}, minify, ` +
      'sourcemap (external .map, no sourcesContent), main-fields module,main, createRequire banner, AWS SDK bundled',
  );
  out(
    table([
      [
        'bundle',
        'minified',
        '≤ 1 MB',
        '.map',
        'init (deployed: --enable-source-maps)',
        'init (no source maps)',
        '< 300 ms',
      ],
      ...built.reports.map((b) => [
        b.entry,
        `${(b.bytes / 1024).toFixed(0)} KiB`,
        b.bytes <= MiB ? 'yes' : 'NO',
        `${(b.sourceMapBytes / 1024).toFixed(0)} KiB`,
        `${b.initWithSourceMaps.medianMs.toFixed(0)} ms`,
        `${b.initPlain.medianMs.toFixed(0)} ms`,
        b.initWithSourceMaps.medianMs < 300 ? 'yes' : 'NO',
      ]),
    ]),
  );
  for (const b of built.reports) {
    const top = b.contributors
      .slice(0, 5)
      .map((c) => `${c.name} ${(c.bytes / 1024).toFixed(0)} KiB (${((100 * c.bytes) / b.bytes).toFixed(0)}%)`);
    out(`  top 5 of ${b.entry}: ${top.join(', ')}`);
  }
  return built.reports;
}
