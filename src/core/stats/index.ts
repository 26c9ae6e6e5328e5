/**
 * Small numeric helpers shared by the components.
 *
 * @module
 */
export * from './normal.js';
