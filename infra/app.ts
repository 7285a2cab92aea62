/** `cdk synth` entry point (see cdk.json): runs after `infra/build.ts` has written the bundles. */
import { createWardenApp } from './warden-app.ts';

createWardenApp().app.synth();
