/** `npm run docs`: regenerates the README's control catalogue from the registries. */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { withCatalogue } from '#shared/controls/catalogue.ts';
import { PROJECT_ROOT } from './local/paths.ts';

const readmePath = join(PROJECT_ROOT, 'README.md');
const current = readFileSync(readmePath, 'utf8');
const updated = withCatalogue(current);
if (updated !== current) writeFileSync(readmePath, updated);
process.stdout.write(updated === current ? 'README catalogue is up to date\n' : 'README catalogue updated\n');
