// Byte sizes in scenario files: "16MiB", "512KiB", "2MB", "1GiB", "300B", or a number of bytes.
// KiB/MiB/GiB are powers of 1024, KB/MB/GB powers of 1000 (IEC vs SI, as `ls --si` and Kubernetes read them).

const SIZE_RE = /^\s*(\d+(?:\.\d+)?)\s*(B|KB|KiB|MB|MiB|GB|GiB)?\s*$/;

const UNIT_BYTES: Record<string, number> = { B: 1, KB: 1e3, KiB: 1024, MB: 1e6, MiB: 1024 ** 2, GB: 1e9, GiB: 1024 ** 3 };

/** The source text of the size pattern, shared with the JSON Schema so editors check the same syntax. */
export const SIZE_PATTERN = SIZE_RE.source;

/** Whole bytes for a size; throws a RangeError naming the accepted forms for anything else. */
export function parseSizeBytes(input: string | number): number {
  if (typeof input === 'number') {
    if (Number.isFinite(input) && input >= 0) return Math.floor(input);
    throw new RangeError(`invalid size ${input}: expected a number of bytes ≥ 0`);
  }
  const m = SIZE_RE.exec(input);
  if (!m) throw new RangeError(`invalid size "${input}": expected e.g. "16MiB", "512KiB", "2MB" or a number of bytes`);
  return Math.floor(Number(m[1]) * UNIT_BYTES[m[2] ?? 'B']!);
}

/** Short human form in IEC units: 300 B, 512 KiB, 16 MiB, 1.5 GiB. */
export function formatSizeBytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB'];
  let v = n;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${Number(v.toFixed(u === 0 ? 0 : 2))} ${units[u]}`;
}
