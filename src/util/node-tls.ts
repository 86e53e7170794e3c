// node:tls, loaded on first use: importing it costs ~10 ms of CPU in every thread that does, which plain-HTTP runs
// (and their worker threads) need not pay.
import { createRequire } from 'node:module';

type NodeTls = typeof import('node:tls');
const require = createRequire(import.meta.url);
let mod: NodeTls | undefined;

export const nodeTls = (): NodeTls => (mod ??= require('node:tls') as NodeTls);
