import { describe, expect, it } from 'vitest';
import { checkedUtf8Lines, firstInvalidUtf8, type CheckedLine } from '../../src/domain/utf8-lines.js';
import { Random } from '../../src/generate/random.js';

async function* chunks(...parts: Uint8Array[]): AsyncGenerator<Uint8Array> {
  for (const part of parts) yield part;
}

async function linesOf(stream: AsyncIterable<Uint8Array>): Promise<CheckedLine[]> {
  const out: CheckedLine[] = [];
  for await (const line of checkedUtf8Lines(stream)) out.push(line);
  return out;
}

const bytes = (...values: (number | string)[]): Uint8Array =>
  Buffer.concat(values.map((v) => (typeof v === 'string' ? Buffer.from(v, 'utf8') : Buffer.from([v]))));

describe('checkedUtf8Lines', () => {
  it('splits like the old reader: no trailing empty line, none for an empty stream, CR kept', async () => {
    expect(await linesOf(chunks(bytes('a\r\nb\n\nc')))).toEqual(['a\r', 'b', '', 'c']);
    expect(await linesOf(chunks(bytes('a\n')))).toEqual(['a']);
    expect(await linesOf(chunks())).toEqual([]);
    expect(await linesOf(chunks(bytes('')))).toEqual([]);
  });

  it('makes a line with invalid bytes bad, and only that line, wherever the chunks split', async () => {
    const input = bytes(
      '{"a":"ok"}\n{"a":"',
      0xc3,
      0x28,
      '"}\n{"a":"BeyoncÃ©"}\n{"a":"',
      0xef,
      0xbf,
      0xbd,
      '"}\n{"a":"',
      0xff,
      '"}',
    );
    for (let split = 0; split <= input.length; split++) {
      const lines = await linesOf(chunks(input.subarray(0, split), input.subarray(split)));
      expect(lines, `split at ${split}`).toEqual([
        '{"a":"ok"}',
        { invalidUtf8: true, text: '{"a":"\uFFFD("}', problem: 'byte 0xC3 at byte 6' },
        // Valid but mis-decoded text is kept as it is.
        '{"a":"BeyoncÃ©"}',
        // A genuine U+FFFD is valid input.
        '{"a":"\uFFFD"}',
        { invalidUtf8: true, text: '{"a":"\uFFFD"}', problem: 'byte 0xFF at byte 6' },
      ]);
    }
  });

  it('finds a bad line that spans many one-byte chunks, and a truncated sequence at the very end', async () => {
    const input = bytes('ok\nx', 0xe2, 0x82, 'y\nlast', 0xe2, 0x82);
    const lines = await linesOf(chunks(...Array.from(input, (b) => Uint8Array.of(b))));
    expect(lines).toEqual([
      'ok',
      { invalidUtf8: true, text: 'x\uFFFDy', problem: 'bytes 0xE2 0x82 at byte 1' },
      { invalidUtf8: true, text: 'last\uFFFD', problem: 'bytes 0xE2 0x82 at byte 4' },
    ]);
  });

  it('holds no more than a chunk and a line: a long file of short lines streams through', async () => {
    async function* many(): AsyncGenerator<Uint8Array> {
      for (let i = 0; i < 2_000; i++) yield bytes(`{"i":${i}}\n`.repeat(50));
    }
    let count = 0;
    for await (const line of checkedUtf8Lines(many())) if (typeof line === 'string') count++;
    expect(count).toBe(100_000);
  });
});

describe('firstInvalidUtf8', () => {
  it('agrees with a fatal TextDecoder on random bytes', () => {
    const rng = new Random('utf8');
    const fatal = new TextDecoder('utf-8', { fatal: true });
    const interesting = [
      0x00, 0x41, 0x7f, 0x80, 0xbf, 0xc0, 0xc1, 0xc2, 0xdf, 0xe0, 0xa0, 0x9f, 0xed, 0xef, 0xf0, 0x90, 0x8f, 0xf4, 0xf5,
      0xff,
    ];
    let invalid = 0;
    for (let i = 0; i < 20_000; i++) {
      const data = Uint8Array.from({ length: rng.int(0, 8) }, () =>
        rng.chance(0.7) ? rng.pick(interesting) : rng.int(0, 255),
      );
      let valid = true;
      try {
        fatal.decode(data);
      } catch {
        valid = false;
      }
      const at = firstInvalidUtf8(data);
      expect(at < 0, Buffer.from(data).toString('hex')).toBe(valid);
      if (!valid) {
        invalid++;
        // Everything before the reported byte is valid on its own.
        expect(() => fatal.decode(data.subarray(0, at)), Buffer.from(data).toString('hex')).not.toThrow();
      }
    }
    expect(invalid).toBeGreaterThan(1000);
  });
});
