// How many requests `modelwave serve` sends itself before it reports ready (ReferenceServerOptions.warmupRequests):
// a module of its own so the command's help can name the number without loading the server.
import { groupThousands } from '../util/describe.js';

export const SELF_WARMUP_REQUESTS = 3_000;
/** The count as the help prints it (3,000). */
export const SELF_WARMUP_REQUESTS_TEXT = groupThousands(SELF_WARMUP_REQUESTS);
