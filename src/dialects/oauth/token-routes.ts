import type { FastifyInstance } from 'fastify';
import type { IssuedTokens } from '../../core/oauth/index.ts';
import type { Services } from '../../core/services.ts';
import { clientCredentials, presentedAccessToken, requestParams } from './params.ts';

const NO_STORE = { 'cache-control': 'no-store', pragma: 'no-cache' };

/** RFC 6749 §5.1 as Doorkeeper words it; `created_at` is a Unix time in seconds. */
export function tokenResponse(tokens: IssuedTokens) {
  return {
    access_token: tokens.accessToken,
    token_type: 'Bearer',
    expires_in: tokens.expiresIn,
    refresh_token: tokens.refreshToken,
    scope: tokens.scopes.join(' '),
    created_at: Math.floor(tokens.createdAt.getTime() / 1000),
  };
}

/** `POST /oauth/token`, `POST /oauth/revoke`, `GET /oauth/token/info`. */
export function tokenRoutes(scope: FastifyInstance, services: Services): void {
  scope.post('/token', async (request, reply) => {
    const params = requestParams(request);
    const tokens = await services.oauth.exchangeToken({
      grantType: params.grant_type,
      code: params.code,
      redirectUri: params.redirect_uri,
      refreshToken: params.refresh_token,
      ...clientCredentials(request, params),
      address: request.ip,
    });
    return reply.headers(NO_STORE).send(tokenResponse(tokens));
  });

  scope.post('/revoke', async (request, reply) => {
    const params = requestParams(request);
    await services.oauth.revokeToken({ token: params.token, ...clientCredentials(request, params), address: request.ip });
    return reply.headers(NO_STORE).send({});
  });

  scope.get('/token/info', async (request, reply) => {
    const info = await services.oauth.tokenInfo(presentedAccessToken(request, requestParams(request)));
    return reply.headers(NO_STORE).send({
      resource_owner_id: info.userId,
      scope: info.scopes,
      expires_in: info.expiresIn,
      application: { uid: info.clientUid },
      created_at: Math.floor(info.createdAt.getTime() / 1000),
    });
  });
}
