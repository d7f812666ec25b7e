/** The CommandIo of a real process: stdout, stderr, stdin, and the terminal when there is one. */
import type { CommandIo, Terminal } from './usage-error.js';

export function consoleIo(): CommandIo {
  return {
    out: (text) => process.stdout.write(`${text}\n`),
    err: (text) => process.stderr.write(`${text}\n`),
    ...(process.stdout.isTTY && process.stderr.isTTY ? { terminal: stderrTerminal() } : {}),
    readStdin: async () => {
      const chunks: Buffer[] = [];
      for await (const chunk of process.stdin) chunks.push(Buffer.from(chunk as Uint8Array));
      return Buffer.concat(chunks).toString('utf8');
    },
  };
}

function stderrTerminal(): Terminal {
  return {
    // Read at each draw, so a resized window is followed.
    get columns() {
      return process.stderr.columns || 80;
    },
    write: (text) => process.stderr.write(text),
  };
}
