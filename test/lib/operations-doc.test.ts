/** docs/OPERATIONS.md quotes the stack's settings; this keeps the quote equal to lib/settings.ts. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { COMPACTION_SETTINGS, WORKER_SETTINGS, queueVisibilityTimeout } from '../../lib/settings.js';
import type { SourceKind } from '../../src/domain/layout.js';

const doc = readFileSync(new URL('../../docs/OPERATIONS.md', import.meta.url), 'utf8');

function settingsRow(kind: SourceKind): number[] {
  const line = doc.split('\n').find((l) => l.startsWith(`| ${kind} |`));
  if (!line) throw new Error(`no settings row for ${kind} in docs/OPERATIONS.md`);
  return line
    .split('|')
    .slice(2, -1)
    .map((cell) => Number(cell.trim()));
}

describe('docs/OPERATIONS.md', () => {
  it.each(['song', 'log'] as const)('quotes the %s worker settings exactly', (kind) => {
    const s = WORKER_SETTINGS[kind];
    expect(settingsRow(kind)).toEqual([
      s.memorySizeMb,
      s.timeout.toSeconds(),
      s.batchSize,
      s.maxBatchingWindow.toSeconds(),
      s.maxConcurrency,
      s.maxReceiveCount,
      queueVisibilityTimeout(s).toSeconds(),
      s.oldestMessageAlarmAge.toMinutes(),
    ]);
  });

  it('quotes the compaction settings', () => {
    expect(doc).toContain(
      `Compaction, ${COMPACTION_SETTINGS.memorySizeMb} MB, ${COMPACTION_SETTINGS.timeout.toMinutes()} min, hourly`,
    );
    // The default schedule, as the context table quotes it.
    expect(COMPACTION_SETTINGS.schedule.expressionString).toBe('rate(1 hour)');
    expect(doc).toContain(`| \`compactionSchedule\` | \`${COMPACTION_SETTINGS.schedule.expressionString}\` |`);
  });
});
