// How many requests `modelwave serve` sends itself before it reports ready (ReferenceServerOptions.warmupRequests):
// a module of its own so the command's help can name the number without loading the server.
export const SELF_WARMUP_REQUESTS = 3_000;
/** The count as the help prints it (3,000): grouped by hand, as Intl's first use costs every command ~14 ms of CPU. */
export const SELF_WARMUP_REQUESTS_TEXT = String(SELF_WARMUP_REQUESTS).replace(/\B(?=(\d{3})+$)/g, ',');
