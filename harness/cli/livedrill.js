#!/usr/bin/env node
// The livedrill command. TypeScript sources run directly through tsx, so there is no build step.
import { register } from 'tsx/esm/api';

register();
await import('./main.ts');
