import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Services } from '../../core/services.ts';
import { requestParams } from './params.ts';

/** The address `/activate` is reached at: ASSAY_PUBLIC_URL, else the host the client called. */
function verificationUri(request: FastifyRequest, services: Services): string {
  const base = services.config.publicUrl ?? `${request.protocol}://${request.host}`;
  return `${base}/activate`;
}

const limit = (l: { max: number; windowSeconds: number }) => ({ rateLimit: { max: l.max, timeWindow: l.windowSeconds * 1000 } });

/** Autolab's device flow: `GET /oauth/device_flow_init`, `GET /oauth/device_flow_authorize` (reference §2.3). */
export function deviceRoutes(scope: FastifyInstance, services: Services): void {
  const { deviceInitLimit, deviceAuthorizeLimit } = services.config.oauth;

  scope.get('/device_flow_init', { config: limit(deviceInitLimit) }, async (request) => {
    const started = await services.oauth.startDeviceRequest(requestParams(request).client_id);
    return { device_code: started.deviceCode, user_code: started.userCode, verification_uri: verificationUri(request, services) };
  });

  // Throttled polls of a live request are answered `authorization_pending` by the error handler.
  scope.get('/device_flow_authorize', { config: limit(deviceAuthorizeLimit) }, async (request) => {
    const params = requestParams(request);
    return services.oauth.pollDeviceRequest(params.client_id, params.device_code);
  });
}

/** True when a throttled request is a poll of a live device request, which must never see a 429. */
export async function isThrottledLivePoll(request: FastifyRequest, services: Services): Promise<boolean> {
  if (request.routeOptions.url !== '/oauth/device_flow_authorize') return false;
  const params = requestParams(request);
  return services.oauth.isLiveDeviceRequest(params.client_id, params.device_code);
}
