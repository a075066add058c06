import type { Register } from '../main.js';

/** Filled in with the compound-scaling commands. */
export const registerScale: Register = () => {};
