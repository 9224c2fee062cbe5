// Compose files: the normalized model and (parse.ts) the reader shared by server, agent, CLI and UI.
export * from './model.ts';
export { parseCompose, type ParseComposeInput, type ParseComposeResult } from './parse.ts';
