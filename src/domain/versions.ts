/**
 * How the lake orders what it knows about a landing object, without any coordination between
 * workers (docs/ARCHITECTURE.md, "Which rows are current").
 *
 * - A **sequencer** orders the versions of one landing key. In AWS it is the `sequencer` of the S3
 *   event (S3 documents it as the way to order events on one key: right-pad the shorter value with
 *   zeros, then compare as text). The local run mints its own from the clock. An event without one
 *   (a backfill of objects that existed before the stack) ranks below every real event.
 * - A **write id** names one batch of writes. It starts with the UTC time the batch began, so
 *   later writes sort later (the tie-break between two deliveries of the same event: the later
 *   read is at least as new) and compaction can tell an abandoned batch by its age.
 */
import { randomBytes } from 'node:crypto';

/** Sequencers are stored right-padded to this many upper-case hex digits, so text order is their order. */
export const SEQUENCER_DIGITS = 32;

export const NO_SEQUENCER = '0'.repeat(SEQUENCER_DIGITS);

/** `0055aed6dcd90281e5` → `0055AED6DCD90281E5` + zeros to 32 digits; missing → the lowest value. */
export function normaliseSequencer(sequencer: string | undefined | null): string {
  if (sequencer === undefined || sequencer === null || sequencer === '') return NO_SEQUENCER;
  if (!/^[0-9A-Fa-f]+$/.test(sequencer))
    throw new Error(`not an S3 event sequencer (hex digits expected): ${sequencer}`);
  if (sequencer.length > SEQUENCER_DIGITS)
    throw new Error(`S3 event sequencer longer than ${SEQUENCER_DIGITS} digits: ${sequencer}`);
  return sequencer.toUpperCase().padEnd(SEQUENCER_DIGITS, '0');
}

/**
 * Sequencers for the local run: the clock in microseconds, 16 hex digits (left-padded, so they all
 * have the same width and compare as numbers), then normalised like an S3 one. Strictly increasing
 * within a process even when the clock stands still or steps back.
 */
export function localSequencerClock(now: () => number = Date.now): () => string {
  let last = 0;
  return () => {
    last = Math.max(last + 1, Math.floor(now() * 1000));
    return normaliseSequencer(last.toString(16).toUpperCase().padStart(16, '0'));
  };
}

/** `20181121T215647796Z-1a2b3c4d5e6f`: the batch's start time, then 48 random bits. */
export function newWriteId(
  now: number = Date.now(),
  random: () => string = () => randomBytes(6).toString('hex'),
): string {
  const iso = new Date(now).toISOString(); // 2018-11-21T21:56:47.796Z
  const compact = `${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}T${iso.slice(11, 13)}${iso.slice(14, 16)}${iso.slice(17, 19)}${iso.slice(20, 23)}Z`;
  return `${compact}-${random()}`;
}

const WRITE_ID = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})(\d{3})Z-[0-9a-f]+$/;

export function isWriteId(text: string): boolean {
  return WRITE_ID.test(text);
}

/** When the batch that wrote under this id began (epoch ms). */
export function writeTimeOf(writeId: string): number {
  const match = WRITE_ID.exec(writeId);
  if (!match) throw new Error(`not a write id: ${writeId}`);
  const [, y, mo, d, h, mi, s, ms] = match.map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  return Date.UTC(y, mo - 1, d, h, mi, s, ms);
}

/** A version of one landing key as the ledger records it. */
export interface VersionStamp {
  readonly seq: string;
  readonly writeId: string;
}

/** Later sequencer first; for the same sequencer (one event delivered twice) the later write. */
export function compareVersions(a: VersionStamp, b: VersionStamp): number {
  if (a.seq !== b.seq) return a.seq < b.seq ? -1 : 1;
  if (a.writeId !== b.writeId) return a.writeId < b.writeId ? -1 : 1;
  return 0;
}
