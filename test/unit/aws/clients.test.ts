import { describe, expect, it } from 'vitest';
import { s3ControlClientConfig } from '#shared/aws/clients.ts';

describe('s3ControlClientConfig', () => {
  it('sends every request to the plain local endpoint, without the account-id host prefix', () => {
    const config = s3ControlClientConfig({ region: 'us-east-1', endpoint: 'http://127.0.0.1:5077' });

    expect(config.endpointProvider?.().url.href).toBe('http://127.0.0.1:5077/');
  });

  it('leaves the regional endpoint rules alone without an override', () => {
    const previous = process.env.AWS_ENDPOINT_URL;
    delete process.env.AWS_ENDPOINT_URL;
    try {
      expect(s3ControlClientConfig({ region: 'us-east-1' })).not.toHaveProperty('endpointProvider');
    } finally {
      if (previous !== undefined) process.env.AWS_ENDPOINT_URL = previous;
    }
  });
});
