// How many requests `modelwave serve` sends itself before it reports ready (ReferenceServerOptions.warmupRequests):
// a module of its own so the command's help can name the number without loading the server.
export const SELF_WARMUP_REQUESTS = 3_000;
