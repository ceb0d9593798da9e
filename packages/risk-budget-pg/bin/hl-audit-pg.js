#!/usr/bin/env node
// A committed entry point, so installing before building links a bin that exists (pnpm warns otherwise).
import '../dist/cli.js';
