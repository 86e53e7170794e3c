// Pins the intended send times of a few schedules as main produced them before the load plan moved to
// src/schedule/plan.ts (commit 7aa233f): every seed must keep producing the same schedule, bit for bit.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { arrivalOffsetsUs } from '../../src/schedule/pacer.js';
import { planLoad, type OpenPhasePlan } from '../../src/schedule/plan.js';
import type { OpenPhase } from '../../src/spec/types.js';

const phase = (p: Partial<OpenPhase>): OpenPhase => ({ kind: 'open', name: 'p', durationMs: 10_000, rate: 100, arrivals: 'uniform', warmup: false, ...p });
/** The phase's stream as the pacer walks it, as phase `index` of a run with `seed`. */
const offsets = (p: OpenPhase, seed: number, index: number): number[] => {
  const plan = { ...(planLoad([p], seed).phases[0] as OpenPhasePlan), index };
  return [...arrivalOffsetsUs(plan, seed)];
};

/** name, phase, seed, phase index, count, [k, intended µs of arrival k] picks, sum of every offset (µs). */
const PINS: [string, Partial<OpenPhase>, number, number, number, [number, number][], number][] = [
  ["constant uniform", {rate: 333,durationMs: 3000}, 1, 0, 999, [[1,3003.003003003003],[2,6006.006006006006],[333,1000000],[998,2996996.9969969974]], 1496999999.9999988],
  ["ramp uniform", {rate: 100,rampTo: 300,durationMs: 10000}, 1, 0, 2000, [[1,9990.01995013984],[2,19960.159204453023],[666,4570788.891204319],[1999,9996666.296213968]], 11661666111.111286],
  ["ramp down to 0 uniform", {rate: 500,rampTo: 0,durationMs: 2000}, 1, 0, 500, [[1,2001.0010012517796],[2,4004.0080200560624],[166,365374.66066379606],[499,1910557.2809000085]], 332351760.57590026],
  ["steps uniform", {rate: 50,rampTo: 350,steps: 3,durationMs: 3000}, 1, 0, 600, [[1,20000],[2,40000],[200,1750000],[599,2997142.8571428573]], 1198500000],
  ["steps down to 0 uniform", {rate: 300,rampTo: 0,steps: 4,durationMs: 4000}, 1, 0, 600, [[1,3333.3333333333335],[2,6666.666666666667],[200,666666.6666666666],[599,2990000]], 698500000],
  ["poisson constant, seed 42", {rate: 1000,durationMs: 2000,arrivals: "poisson"}, 42, 0, 1944, [[1,58.332634944271334],[2,1031.5590577489243],[648,656562.4196588374],[1943,1997224.7365446875]], 1937329832.1679704],
  ["poisson constant, seed 7, phase 2", {rate: 1000,durationMs: 2000,arrivals: "poisson"}, 7, 2, 2036, [[1,2737.7614310677877],[2,3918.7314012269135],[678,696880.3357746877],[2035,1999842.2770687162]], 2057053373.9300778],
  ["poisson ramp", {rate: 200,rampTo: 800,durationMs: 3000,arrivals: "poisson"}, 3, 1, 1571, [[1,15200.835445506158],[2,15564.149948687742],[523,1473652.8009942216],[1570,2997785.7668846315]], 2836590777.5014477],
  ["poisson steps", {rate: 100,rampTo: 400,steps: 4,durationMs: 4000,arrivals: "poisson"}, 11, 0, 959, [[1,16941.18767434208],[2,31871.55587673663],[319,2102332.107289713],[958,3995977.6352758594]], 2394927566.1810865],
  ["poisson capped", {rate: 1000,durationMs: 10000,arrivals: "poisson",requests: 123}, 5, 0, 123, [[1,2248.980183153798],[2,2572.4636073396773],[41,33170.2934883177],[122,116200.56949155382]], 6813553.5825628005],
];

test('every pinned schedule is reproduced exactly (count, picked send times, sum of all send times)', () => {
  for (const [name, p, seed, index, count, picks, sum] of PINS) {
    const t = offsets(phase(p), seed, index);
    assert.equal(t.length, count, `${name}: count`);
    for (const [k, us] of picks) assert.equal(t[k], us, `${name}: arrival ${k}`);
    assert.equal(t.reduce((a, b) => a + b, 0), sum, `${name}: sum`);
  }
});
