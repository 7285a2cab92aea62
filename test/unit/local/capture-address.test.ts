import { describe, expect, it } from 'vitest';
import { captureAddressFor } from '../../../cli/local/slack-capture-server.ts';

const CAPTURE_URL = 'http://127.0.0.1:5056/services/TLOCAL/BLOCAL/warden-local-capture';

describe('warden local invoke notify-slack: where the capture server runs', () => {
  it('runs it on the port and path of the capture URL local mode wrote', () => {
    expect(captureAddressFor(CAPTURE_URL, CAPTURE_URL)).toEqual({
      port: 5056,
      path: '/services/TLOCAL/BLOCAL/warden-local-capture',
    });
  });

  it("leaves the user's own server on 127.0.0.1 alone", () => {
    expect(captureAddressFor('http://127.0.0.1:8088/my-own-receiver', CAPTURE_URL)).toBeUndefined();
  });

  it('leaves another path on the capture port alone', () => {
    expect(captureAddressFor('http://127.0.0.1:5056/services/T1/B1/mine', CAPTURE_URL)).toBeUndefined();
  });

  it('runs nothing for a real Slack webhook or an unreadable secret', () => {
    expect(captureAddressFor('https://hooks.slack.com/services/T1/B1/x', CAPTURE_URL)).toBeUndefined();
    expect(captureAddressFor(undefined, CAPTURE_URL)).toBeUndefined();
  });
});
