// The run's data check, on the main thread before any worker starts: the rows can be generated (a replayed file is
// read and typed), the target can be fed from them (codec construction: sent fields, tensor datatypes), and no
// replayed row sends an empty model input — such a request would fail on the wire, or worse, be scored on null.
// Every problem is a ModelwaveError with exit 2 naming the file and line (or the scenario path) and the fix.
import { codecFor } from '../../codecs/index.js';
import { createRowGenerator } from '../../data/rows.js';
import { ModelwaveError } from '../../errors.js';
import type { Scenario } from '../../spec/types.js';

/** Show at most this many offending lines; the count says how many there are. */
const MAX_LINES = 5;

export function checkRunData(s: Scenario): void {
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
