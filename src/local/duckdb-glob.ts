/**
 * A folder path as the literal start of a DuckDB glob. DuckDB reads `[`, `*` and `?` in a
 * read_parquet() path as glob syntax wherever they are, so a lake at `/data/run [2]/lake` matched
 * nothing and a lake at `/data/a*` could match `/data/abc` too. Each of them is wrapped in a
 * bracket class of its own (`[[]`, `[*]`, `[?]`), which matches exactly that character. A
 * backslash cannot be escaped in DuckDB's glob: it becomes `?`, which matches it (and, in theory,
 * any other single character in that place). `{` and `}` are literal (no brace expansion).
 */
import { sep } from 'node:path';

export function globLiteral(path: string): string {
  const escaped = path.replace(/[[*?]/g, (char) => `[${char}]`);
  // On Windows a backslash is the separator, and must stay one.
  return sep === '\\' ? escaped : escaped.replaceAll('\\', '?');
}
