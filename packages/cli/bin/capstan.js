#!/usr/bin/env node
// Runs the TypeScript entry directly: Node 24 strips types natively, so there is no build step.
import '../src/main.ts';
