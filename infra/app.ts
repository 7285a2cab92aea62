/** `cdk synth` entry point (see cdk.json): runs after `infra/build.ts` has written the bundles. */
import { ConfigError } from '#shared/errors/errors.ts';
import { createWardenApp } from './warden-app.ts';

try {
  createWardenApp().app.synth();
} catch (error) {
  // A bad policy file is the user's to fix: show the validation message, not a stack trace.
  if (!(error instanceof ConfigError)) throw error;
  console.error(error.message);
  process.exit(1);
}
