#!/usr/bin/env node
// Capstan Edge Agent: `capstan-agent --server https://<server> --join-token <token>` (see --help).
import '../src/main.ts';
