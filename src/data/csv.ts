// RFC 4180 CSV, the dialect data sets are written in: comma-separated, `"` quotes with `""` inside, records end at
// LF or CRLF (a quoted field may span lines), a leading BOM is dropped, empty lines are skipped. One pass over the
// char codes with no per-record allocation beyond the cells; csv-parse with line info was ~12× slower than a plain
// split on a 1M-row file, and every load worker parses the file at start-up. Errors carry the line a record starts
// on, which is where a reader looks for an unclosed quote.

/** Text that is not CSV, at the line a reader should look at. */
export class CsvSyntaxError extends Error {
  constructor(
    readonly line: number,
    message: string,
  ) {
    super(message);
    this.name = 'CsvSyntaxError';
  }
}

const QUOTE = 34;
const COMMA = 44;
const LF = 10;
const CR = 13;

/**
 * Calls `onRecord(cells, line)` for every record (line = 1-based line it starts on) until it returns false. Throws
 * CsvSyntaxError for text that is not CSV (an unclosed quote, a stray quote): nothing after it can be trusted.
 */
export function parseCsv(text: string, onRecord: (cells: string[], line: number) => boolean | void): void {
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  const n = text.length;
  let line = 1;
  while (i < n) {
    const c0 = text.charCodeAt(i);
    // Empty line (no characters at all): skipped, as csv-parse's skip_empty_lines did.
    if (c0 === LF || (c0 === CR && text.charCodeAt(i + 1) === LF)) {
      i += c0 === CR ? 2 : 1;
      line++;
      continue;
    }
    const start = line;
    const cells: string[] = [];
    for (;;) {
      let cell: string;
      if (text.charCodeAt(i) === QUOTE) {
        const openLine = line;
        let j = i + 1;
        let out = '';
        let from = j;
        for (;;) {
          if (j >= n) throw problem(openLine, 'a quoted field opened on this line is never closed (a missing `"`?)');
          const c = text.charCodeAt(j);
          if (c === QUOTE) {
            if (text.charCodeAt(j + 1) === QUOTE) {
              out += text.slice(from, j + 1);
              j += 2;
              from = j;
              continue;
            }
            break;
          }
          if (c === LF) line++;
          j++;
        }
        cell = out + text.slice(from, j);
        i = j + 1;
        const after = i < n ? text.charCodeAt(i) : LF;
        if (after !== COMMA && after !== LF && !(after === CR && text.charCodeAt(i + 1) === LF)) {
          throw problem(line, `text after the closing quote of field ${cells.length + 1}; a quote inside a quoted field is written "" (two quotes)`);
        }
      } else {
        let j = i;
        while (j < n) {
          const c = text.charCodeAt(j);
          if (c === COMMA || c === LF || (c === CR && text.charCodeAt(j + 1) === LF)) break;
          if (c === QUOTE) throw problem(line, `a quote inside unquoted field ${cells.length + 1}; quote the whole field and double the quote: "a""b"`);
          j++;
        }
        cell = text.slice(i, j);
        i = j;
      }
      cells.push(cell);
      const c = i < n ? text.charCodeAt(i) : LF;
      if (c === COMMA) {
        i++;
        if (i >= n) {
          cells.push('');
          break;
        }
        continue;
      }
      i += c === CR ? 2 : 1;
      break;
    }
    if (onRecord(cells, start) === false) return;
    line++;
  }
}

const problem = (line: number, message: string): CsvSyntaxError => new CsvSyntaxError(line, message);
