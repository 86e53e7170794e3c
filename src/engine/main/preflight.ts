// What a load worker builds before its first request, built once on this thread for `validate`: the row generator
// (the whole data source read by the same reader, every row checked; faker arguments tried; the label column
// encoded) and the codec, then one request's rows encoded. A scenario `validate` passes is one no worker chokes on
// at start-up. `run` does not call this: its workers do the same work and their errors arrive with the same codes,
// and the main thread stays free of faker (~38 MB).
import { ModelwaveError } from '../../errors.js';
import { createCodec } from '../../codecs/index.js';
import { createRowGenerator } from '../../data/rows.js';
import type { Row } from '../../data/types.js';
import { formatPath } from '../../util/describe.js';
import type { Scenario } from '../../spec/types.js';
import { warmupRowIndex } from '../worker/warmup.js';

/** Throws the error a worker would meet, as a validation problem of `file` (exit 2), or returns. */
export function preflight(s: Scenario, file: string = s.file): void {
  try {
    const gen = createRowGenerator(s);
    const codec = createCodec(s.target, gen.fieldNames, gen.classes);
    const k = s.target.rowsPerRequest;
    const rows: Row[] = [];
    for (let j = 0; j < k; j++) {
      const ri = warmupRowIndex(j, gen.size);
      rows.push(gen.row(ri));
      gen.label(ri, rows[j]!);
    }
    codec.encode(rows, 0);
  } catch (err) {
    if (!(err instanceof ModelwaveError) || err.code === 'MW_INTERNAL') throw err;
    const at = err.where?.path ? formatPath(err.where.path) : undefined;
    const first = at && !err.message.startsWith(at) ? `${at}: ${err.message}` : err.message;
    throw new ModelwaveError(err.code, `scenario ${file} cannot run: ${first}`, err.details, { ...(err.where ? { where: err.where } : {}), cause: err });
  }
}
