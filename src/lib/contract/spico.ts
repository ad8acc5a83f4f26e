/**
 * The SPICO API contract (SPEC §8): the one typed, validated description of what the module
 * consumes. The module's client and the sandbox both import it, so neither can drift alone; the
 * rest of the code imports the contract from here only, the files below being its chapters.
 */
export * from './scalars.ts';
export * from './catalogue.ts';
export * from './list-items.ts';
export * from './pages.ts';
export * from './problems.ts';
export * from './storage-key.ts';
export * from './audit.ts';
