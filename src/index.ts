// Library entry point: everything the CLI does is importable from here.
export * from './errors.js';
export type * from './scenario/types.js';
export type * from './summary/types.js';
export type * from './data/types.js';
export type * from './codecs/types.js';
export * from './engine/types.js';
