/**
 * Global setup of the `integration` project: one moto server per run on a free port, provisioned
 * as `warden local up` would (prefix `warden`), its config handed to tests via `inject('localConfig')`.
 */
import type { TestProject } from 'vitest/node';
import { LOCAL_REGION } from '../../cli/local/credentials.ts';
import type { LocalConfig } from '../../cli/local/local-config.ts';
import { findFreePort, startMoto } from '../../cli/local/moto.ts';
import { provisionLocal } from '../../cli/local/provision.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    localConfig: LocalConfig;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const moto = await startMoto({ port: await findFreePort() });
  try {
    const localConfig = await provisionLocal({
      endpoint: moto.endpoint,
      region: LOCAL_REGION,
      prefix: 'warden',
    });
    project.provide('localConfig', localConfig);
  } catch (error) {
    await moto.stop();
    throw error;
  }
  return () => moto.stop();
}
