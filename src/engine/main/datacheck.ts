// The run's data check, on the main thread before the target is resolved and any worker starts: no replayed row sends
// an empty model input — such a request would fail on the wire, or worse, be scored on null. Reading the file also
// proves it can be read and typed, and the codec that it can feed the target (sent fields, tensor datatypes). Every
// problem is a ModelwaveError with exit 2 naming the file and line (or the scenario path) and the fix.
//
// Synthetic rows are not built here: every load worker builds the same generator and codec before it reports ready,
// and its error (faker arguments only faker refuses, say) ends the run with the same code and message
// (test/engine/main/never-hang.test.ts). Building them here as well cost the main thread faker, the row and codec modules
// and ~50 ms of CPU per run. What that moves: such an error now comes after the target is resolved (a builtin server
// is started and stopped; an unreachable target is reported first, exit 3).
import { ModelwaveError } from '../../errors.js';
import type { Scenario } from '../../spec/types.js';

/** Show at most this many offending lines; the count says how many there are. */
const MAX_LINES = 5;

export async function checkRunData(s: Scenario): Promise<void> {
  if (!s.data.source) return;
  const [{ createRowGenerator }, { codecFor }] = await Promise.all([import('../../data/rows.js'), import('../../codecs/index.js')]);
  const gen = createRowGenerator(s);
  codecFor(s, gen);
  const replay = gen.replayed;
  if (!replay) return;
  const sent = s.target.send ?? gen.fieldNames;
  const empty: string[] = [];
  let count = 0;
  for (let r = 0; r < replay.rows.length; r++) {
    const row = replay.rows[r];
    for (const name of sent) {
      if (row[name] !== null && row[name] !== undefined) continue;
      count++;
      if (empty.length < MAX_LINES) empty.push(`${replay.file}:${replay.lines[r]}: \`${name}\` is empty`);
    }
  }
  if (count === 0) return;
  const more = count > empty.length ? ` (and ${count - empty.length} more)` : '';
  throw new ModelwaveError('MW_FILE', `${empty[0]}, and it is a model input (target.send)${count > 1 ? `: ${count} empty model inputs in ${replay.file}${more}` : ''}`, [
    ...empty,
    `fix: fill the empty cells or drop those rows from ${replay.file}, or leave the column out of target.send`,
  ]);
}
