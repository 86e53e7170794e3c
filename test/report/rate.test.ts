// The rate line of every report: achieved vs the load plan's rate, and goodput.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fmtRateVsPlan } from '../../src/report/format.js';

const phase = (warmup: boolean, startedAtMs: number, endedAtMs: number, sent: number, plannedRps?: number) => ({
  warmup,
  startedAtMs,
  endedAtMs,
  requests: { sent },
  ...(plannedRps !== undefined && { plannedRps }),
});

test('open loop: achieved ÷ planned, then goodput', () => {
  assert.equal(fmtRateVsPlan({ rps: 150, plannedRps: 200, goodputRps: 75 }), '150 rps of 200 planned (75.0%) · goodput 75.0 rps');
  assert.equal(fmtRateVsPlan({ rps: 0, plannedRps: 200, goodputRps: 0 }), '0.0 rps of 200 planned (0.0%) · goodput 0.0 rps');
});

test('open and closed phases: the comparison covers the measured open phases only', () => {
  const phases = [
    phase(true, 0, 1000, 50, 50), // warm-up: left out
    phase(false, 1000, 4000, 600, 200), // 3 s at 200 planned, 600 sent
    phase(false, 4000, 7000, 900, 350), // 3 s at 350 planned (a ramp's mean), 900 sent
    phase(false, 7000, 7300, 3000), // closed
  ];
  // Open phases: (600 + 900) / 6 s = 250 achieved; (200·3 + 350·3) / 6 = 275 planned; 250 / 275 = 90.9%.
  assert.equal(fmtRateVsPlan({ rps: 719.7, goodputRps: 700 }, phases), '720 rps · goodput 700 rps; open-loop phases 250 rps of 275 planned (90.9%)');
  assert.equal(fmtRateVsPlan({ rps: 9000, goodputRps: 9000 }, [phase(false, 0, 300, 2700)]), '9,000 rps (no planned rate) · goodput 9,000 rps');
});
