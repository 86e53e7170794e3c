// Collects semantic problems; skips subtrees the schema already rejected, so each mistake is reported once.
import type { Path, Problem } from './errors.js';

export class Checker {
  readonly problems: Problem[] = [];
  private readonly broken: Path[];

  constructor(structural: readonly Problem[]) {
    // An unknown key does not make its siblings unreadable; every other structural problem does.
    this.broken = structural.filter((p) => p.at !== 'key').map((p) => p.path);
  }

  /** True when the schema found nothing wrong at, inside or above `path`. */
  ok(path: Path): boolean {
    return !this.broken.some((b) => isPrefix(b, path) || isPrefix(path, b));
  }

  /** True when `path` and its ancestors are intact (problems deeper inside are allowed). */
  readable(path: Path): boolean {
    return !this.broken.some((b) => isPrefix(b, path));
  }

  add(path: Path, message: string, at?: 'key' | 'value'): void {
    this.problems.push({ path, message, at });
  }

  /**
   * A value no later rule may read (e.g. a number past its limit): reported like `add`, and its subtree is then
   * skipped by `ok`/`readable` like a schema failure, so nothing downstream computes with it (a plan over
   * `rate: 1e308` would never finish).
   */
  reject(path: Path, message: string): void {
    this.problems.push({ path, message });
    this.broken.push(path);
  }
}

function isPrefix(a: Path, b: Path): boolean {
  return a.length <= b.length && a.every((seg, i) => String(seg) === String(b[i]));
}
