export * from './schema.ts';
export * from './diff.ts';
export * from './api.ts';
