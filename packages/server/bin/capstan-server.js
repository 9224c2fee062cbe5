#!/usr/bin/env node
// Runs the TypeScript entry directly: Node 24 strips types natively, so there is no build step.
// The compile cache (in the OS temp dir) makes every start after the first one faster.
import module from 'node:module';

module.enableCompileCache?.();
await import('../src/main.ts');
