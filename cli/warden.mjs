#!/usr/bin/env node
// The `warden` bin: registers tsx so the TypeScript CLI runs from source, then starts it.
import { register } from 'tsx/esm/api';

register();
await import('./main.ts');
