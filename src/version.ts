import { packageJson } from './util/package-files.js';

export const VERSION: string = packageJson().version;
