// Clock offset against the database server, from round trips (NTP's rule, Cristian's algorithm). A sample is
// (tSend, server, tRecv): local ms before the query left, the server's clock_timestamp() in ms, local ms when the
// answer came back. If the server read its clock at some instant in [tSend, tRecv] (local time), then
//   offset = server − (tSend + tRecv) / 2   is off by at most   uncertainty = (tRecv − tSend) / 2.
// Of several samples the one with the smallest round trip has the tightest bound; it is the one kept.

export interface ClockSample {
  /** Local ms (performance.timeOrigin + performance.now()) before the query was sent. */
  tSendMs: number;
  /** The server's clock (ms since the Unix epoch) read while it answered. */
  serverMs: number;
  /** Local ms when the answer arrived. */
  tRecvMs: number;
}

export interface ClockOffset {
  /** server − local (ms): local time t corresponds to server time t + offsetMs. */
  offsetMs: number;
  /** Half the kept round trip (ms): |true offset − offsetMs| ≤ uncertaintyMs. */
  uncertaintyMs: number;
  /** Round trip of the kept sample (ms). */
  rttMs: number;
  samples: number;
}

/** The min-RTT estimate of a non-empty list of samples. Throws on an empty list (a bug in the caller). */
export function estimateOffset(samples: readonly ClockSample[]): ClockOffset {
  if (samples.length === 0) throw new Error('estimateOffset: no samples');
  let best = samples[0];
  for (const s of samples) if (s.tRecvMs - s.tSendMs < best.tRecvMs - best.tSendMs) best = s;
  const rttMs = Math.max(0, best.tRecvMs - best.tSendMs);
  return { offsetMs: best.serverMs - (best.tSendMs + best.tRecvMs) / 2, uncertaintyMs: rttMs / 2, rttMs, samples: samples.length };
}
