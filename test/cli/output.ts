// A child process's output as it arrives: the text so far, and the first match of a pattern, settled by the stream's
// own 'data' and 'end' events — no polling loop, so a loaded machine makes the wait longer, never wrong.
import type { Readable } from 'node:stream';

export interface WatchedOutput {
  /** Everything the stream has written so far. */
  text(): string;
  /** The first match of `re` (no `g` flag) in the output; rejects, quoting the output, at `timeoutMs` or at its end. */
  match(re: RegExp, timeoutMs: number): Promise<RegExpExecArray>;
}

export function watchOutput(stream: Readable): WatchedOutput {
  let text = '';
  let ended = false;
  const waiters = new Set<() => void>();
  const wake = () => {
    for (const w of [...waiters]) w();
  };
  stream.on('data', (d: Buffer) => {
    text += d.toString();
    wake();
  });
  stream.on('end', () => {
    ended = true;
    wake();
  });
  return {
    text: () => text,
    match: (re, timeoutMs) =>
      new Promise((resolve, reject) => {
        const settle = (fn: () => void) => {
          waiters.delete(check);
          clearTimeout(timer);
          fn();
        };
        const check = () => {
          const m = re.exec(text);
          if (m) settle(() => resolve(m));
          else if (ended) settle(() => reject(new Error(`the output ended before ${re}:\n${text}`)));
        };
        const timer = setTimeout(() => settle(() => reject(new Error(`timed out after ${timeoutMs} ms waiting for ${re}:\n${text}`))), timeoutMs);
        waiters.add(check);
        check();
      }),
  };
}
