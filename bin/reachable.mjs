#!/usr/bin/env node
// Entry point for `npx reachable …`. TypeScript runs through tsx's loader so the CLI is always the
// code in src/, with no build step between an edit and `npx reachable replay`.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
