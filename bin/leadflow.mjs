#!/usr/bin/env node
// Entry shim: registers tsx so the TypeScript sources run directly from a checkout.
import { register } from 'tsx/esm/api';

register();
await import('./cli.ts');
