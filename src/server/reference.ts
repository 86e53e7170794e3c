// The built-in reference model server: every protocol on its documented path, fault injection, /stats, /feedback.
// Built to not be the bottleneck of the tests that use it: no per-request clock reads unless latency or stalls
// are on, uuids from a counter (verifiable later without storing them), one JSON.parse and one stringify per answer.
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { ModelwaveError } from '../errors.js';
import { parseModel } from './models.js';
import { Fault, Injector, type InjectionOptions } from './inject.js';
import { PATHS } from './paths.js';
import * as proto from './protocols.js';
import { FeedbackLog, type FeedbackStats } from './feedback.js';
import { Slots } from './slots.js';
import { listen, readBody, type Listening } from './http.js';

export interface ReferenceServerOptions extends InjectionOptions {
  /** `telco@v1`, `telco@v2`, `echo:FIELD` or `constant:VALUE`. */
  model: string;
  /** 0 (default): any free port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /**
   * Requests the server sends itself before it reports ready (default 0; `modelwave serve` uses
   * SELF_WARMUP_REQUESTS): a cold Node server at 5,000 req/s spends its first second compiling, and answered with a
   * p99 above 1 s there. Warm-up requests skip injection, and the counters are reset afterwards.
   */
  warmupRequests?: number;
  /**
   * Serve at most this many prediction requests at once; the rest queue in arrival order (needs `latencyMs`, the
   * service time of each). Capacity = slots / latency. Default: no limit.
   */
  slots?: number;
}

export { SELF_WARMUP_REQUESTS } from './self-warmup.js';
const WARMUP_HEADER = 'x-modelwave-self-warmup';

export interface ServerStats {
  model: string;
  /** Epoch ms when the server started listening (stall periods count from here). */
  startedAtMs: number;
  uptimeMs: number;
  /** Prediction requests, every protocol path (not /stats, /health or /feedback). */
  requests: number;
  /** Requests per path, prediction paths and /feedback. */
  requestsByPath: Record<string, number>;
  /** Rows answered with a prediction. */
  predictions: number;
  /** Answers to prediction requests by HTTP status ("200", "400", "500"); resets are not answers. */
  responsesByStatus: Record<string, number>;
  /** Prediction requests being handled now (body read, waiting on latency/stall) and the most at once. */
  inFlight: number;
  maxInFlight: number;
  errorsInjected: { error: number; reset: number; garbage: number };
  /** Answers delayed by --latency, and answers held back by a stall. */
  delaysInjected: { latency: number; stall: number };
  feedback: FeedbackStats;
  /** Requests to unknown paths. */
  notFound: number;
}

/** url (http://HOST:PORT, no trailing slash), port and close() (drops open connections) as server/http.ts listens. */
export interface RunningServer extends Listening {
  model: string;
  stats(): ServerStats;
  resetStats(): void;
}

const JSON_TYPE = 'application/json';
const ERROR_BODY = JSON.stringify({ error: 'injected error' });
// Looks like what a misconfigured proxy returns: labelled JSON, but not JSON.
const GARBAGE_BODY = '<html><body><h1>502 Bad Gateway</h1>garbage injected by modelwave</body></html>';

const STATIC_ROUTES: Record<string, proto.ProtocolHandler> = {
  [PATHS.cloudera]: proto.cloudera,
  [PATHS.mlflow]: proto.mlflow,
  [PATHS.kserveV1]: proto.predictV1,
  [PATHS.kserveV2]: proto.inferV2,
  [PATHS.template]: proto.template,
};

/** The counters resetStats() starts again (the rest of ServerStats is read live). */
type Counters = Pick<ServerStats, 'requests' | 'requestsByPath' | 'predictions' | 'responsesByStatus' | 'maxInFlight' | 'errorsInjected' | 'delaysInjected' | 'notFound'>;

const freshCounters = (inFlight: number): Counters => ({
  requests: 0,
  requestsByPath: {},
  predictions: 0,
  responsesByStatus: {},
  maxInFlight: inFlight,
  errorsInjected: { error: 0, reset: 0, garbage: 0 },
  delaysInjected: { latency: 0, stall: 0 },
  notFound: 0,
});

/** `n` telco-shaped requests over 8 keep-alive connections; answers are read and dropped. Never throws. */
async function selfWarmup(url: string, n: number): Promise<void> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 8 });
  let next = 0;
  const one = (i: number) =>
    new Promise<void>((resolve) => {
      const body = JSON.stringify({ request: { iot_signal_1: (i % 10) + 1, iot_signal_2: (i % 10) + 2, iot_signal_3: 52, iot_signal_4: 100 + (i % 8) } });
      const req = http.request(url, { method: 'POST', agent, headers: { 'content-type': JSON_TYPE, [WARMUP_HEADER]: '1' } }, (res) => {
        res.resume();
        res.once('end', resolve);
        res.once('error', () => resolve());
      });
      req.once('error', () => resolve());
      req.end(body);
    });
  const lane = async () => {
    while (next < n) await one(next++);
  };
  try {
    await Promise.all(Array.from({ length: 8 }, lane));
  } finally {
    agent.destroy();
  }
}

function send(res: ServerResponse, status: number, body: string): void {
  res.writeHead(status, ['content-type', JSON_TYPE, 'content-length', String(Buffer.byteLength(body))]);
  res.end(body);
}

/** Run `fn` at `atMs` (performance.now clock), never earlier: timers may fire a little before their delay. */
function at(atMs: number, fn: () => void): void {
  const left = atMs - performance.now();
  if (left <= 0) return fn();
  setTimeout(at, Math.ceil(left), atMs, fn).unref();
}

export async function startReferenceServer(opts: ReferenceServerOptions): Promise<RunningServer> {
  const model = parseModel(opts.model);
  const host = opts.host ?? '127.0.0.1';
  const startPerfMs = performance.now();
  const injector = new Injector(opts, startPerfMs);
  if (opts.slots !== undefined && !(opts.latencyMs && opts.latencyMs.max > 0)) {
    throw new ModelwaveError('MW_USAGE', '--slots needs --latency (the service time of each request in a slot), e.g. --slots 4 --latency 50ms');
  }
  const slots = opts.slots !== undefined ? new Slots(opts.slots) : undefined;
  const startedAtMs = performance.timeOrigin + startPerfMs;

  // Server uuids: a random per-server prefix + a hex counter, so "did we issue this uuid?" needs no memory.
  const uuidPrefix = randomUUID().slice(0, 24);
  let issued = 0;
  const issue = (): string => uuidPrefix + (issued++).toString(16).padStart(12, '0');
  const wasIssued = (uuid: string): boolean =>
    uuid.length === 36 && uuid.startsWith(uuidPrefix) && parseInt(uuid.slice(24), 16) < issued;

  const feedback = new FeedbackLog(wasIssued);
  let inFlight = 0;
  let c = freshCounters(0);

  const countPath = (path: string) => {
    c.requestsByPath[path] = (c.requestsByPath[path] ?? 0) + 1;
  };

  let warming = false;
  const predictRequest = (req: IncomingMessage, res: ServerResponse, path: string, handler: proto.ProtocolHandler) => {
    const warm = warming && req.headers[WARMUP_HEADER] !== undefined;
    c.requests++;
    countPath(path);
    if (++inFlight > c.maxInFlight) c.maxInFlight = inFlight;
    const arrivalMs = injector.timed ? performance.now() : 0;
    let open = true;
    const finish = () => {
      if (open) {
        open = false;
        inFlight--;
      }
    };
    readBody(req, (text) => {
      if (text === null) return finish();
      const fault = warm ? Fault.none : injector.fault();
      let answer: proto.Answer | undefined;
      if (fault === Fault.none) {
        let json: unknown;
        try {
          json = JSON.parse(text);
          answer = handler(json, model, issue);
        } catch {
          answer = proto.badRequest('body is not JSON');
        }
      }
      const respond = () => {
        finish();
        if (fault === Fault.reset) {
          c.errorsInjected.reset++;
          req.socket.destroy();
          return;
        }
        let status = 200;
        let body = GARBAGE_BODY;
        if (fault === Fault.error) {
          c.errorsInjected.error++;
          status = 500;
          body = ERROR_BODY;
        } else if (fault === Fault.garbage) {
          c.errorsInjected.garbage++;
        } else if (answer) {
          status = answer.status;
          body = answer.body;
          c.predictions += answer.predictions;
        }
        c.responsesByStatus[status] = (c.responsesByStatus[status] ?? 0) + 1;
        send(res, status, body);
      };
      if (!injector.timed || warm) return respond();
      const serve = (startMs: number, done: () => void) => {
        const answerAt = injector.answerAtMs(startMs);
        if (injector.lastStalled) c.delaysInjected.stall++;
        else if (answerAt > startMs) c.delaysInjected.latency++;
        at(answerAt, done);
      };
      // With slots, the service time starts when a slot is free; a reset or an abandoned request frees it too.
      if (slots) slots.enter(() => serve(performance.now(), () => (respond(), slots.leave())));
      else serve(arrivalMs, respond);
    });
  };

  const feedbackRequest = (req: IncomingMessage, res: ServerResponse) => {
    countPath(PATHS.feedback);
    readBody(req, (text) => {
      if (text === null) return;
      const result = feedback.add(text);
      if (typeof result === 'string') send(res, 400, JSON.stringify({ error: result }));
      else send(res, 200, JSON.stringify({ received: result }));
    });
  };

  const stats = (): ServerStats => ({
    model: model.spec,
    startedAtMs,
    uptimeMs: performance.now() - startPerfMs,
    requests: c.requests,
    requestsByPath: { ...c.requestsByPath },
    predictions: c.predictions,
    responsesByStatus: { ...c.responsesByStatus },
    inFlight,
    maxInFlight: c.maxInFlight,
    errorsInjected: { ...c.errorsInjected },
    delaysInjected: { ...c.delaysInjected },
    feedback: feedback.stats(),
    notFound: c.notFound,
  });
  const resetStats = () => {
    c = freshCounters(inFlight);
    feedback.reset();
  };

  const server = http.createServer((req, res) => {
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const path = q < 0 ? url : url.slice(0, q);
    const handler = STATIC_ROUTES[path] ?? proto.protocolForPath(path);
    const method = req.method;
    if (handler !== undefined && method === 'POST') return predictRequest(req, res, path, handler);
    if (method === 'GET' && path === PATHS.stats) return send(res, 200, JSON.stringify(stats()));
    if (method === 'GET' && (path === PATHS.health || path === '/v2/health/ready' || path === '/v2/health/live')) {
      // Not ready until its self warm-up is over (a CI job polling /health must not start the wave on a cold JIT);
      // liveness is true from the first request on.
      if (warming && path !== '/v2/health/live') return send(res, 503, JSON.stringify({ status: 'warming up', model: model.spec }));
      return send(res, 200, JSON.stringify({ status: 'ok', model: model.spec }));
    }
    if (method === 'POST' && path === PATHS.feedback) return feedbackRequest(req, res);
    if (method === 'POST' && path === PATHS.statsReset) {
      resetStats();
      return send(res, 200, '{"reset":true}');
    }
    req.resume();
    if (handler !== undefined || path === PATHS.feedback || path === PATHS.stats || path === PATHS.statsReset) {
      return send(res, 405, JSON.stringify({ error: `method ${method} not allowed on ${path}` }));
    }
    c.notFound++;
    send(res, 404, JSON.stringify({ error: `no such path ${path}` }));
  });
  server.requestTimeout = 120_000;
  const { url, port, close } = await listen(server, host, opts.port, 'reference server');
  if (opts.warmupRequests && opts.warmupRequests > 0) {
    warming = true;
    try {
      await selfWarmup(`${url}${PATHS.cloudera}`, opts.warmupRequests);
    } finally {
      warming = false;
      resetStats();
    }
  }

  return { url, port, model: model.spec, stats, resetStats, close };
}
