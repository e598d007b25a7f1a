import type { FastifyInstance } from 'fastify';
import { isAssayError } from '../../core/errors.ts';
import type { Services } from '../../core/services.ts';
import { FORM_TOKEN_FIELD, formToken, sameOriginWithToken } from './forms.ts';
import { activatePage, consentPage, messagePage } from './pages.ts';
import { requestParams } from './params.ts';
import { browserActor, sendPage, toSignIn } from './session.ts';

/**
 * `/activate`: the signed-in user enters the device's code, sees what the application asks for,
 * and approves or denies it (the same core call as `POST /api/assay/v1/oauth/device/approve`).
 */
export function activateRoutes(scope: FastifyInstance, services: Services): void {
  const invalid = (e: unknown): string => {
    if (isAssayError(e) && e.kind === 'invalid') return e.message;
    throw e;
  };

  const guard = { preHandler: sameOriginWithToken(scope, services) };

  scope.get('/activate', async (request, reply) => {
    if (!(await browserActor(request, services))) return toSignIn(reply, request.url);
    return sendPage(reply, activatePage(requestParams(request).user_code ?? '', formToken(request, reply)));
  });

  scope.post('/activate', guard, async (request, reply) => {
    const userCode = (requestParams(request).user_code ?? '').trim();
    if (!(await browserActor(request, services))) return toSignIn(reply, `/activate?user_code=${encodeURIComponent(userCode)}`);
    try {
      const summary = await services.oauth.describeDeviceRequest(userCode);
      const fields = { user_code: userCode, [FORM_TOKEN_FIELD]: formToken(request, reply) };
      return sendPage(reply, consentPage(summary.clientName, summary.scopes, fields, '/activate/confirm'));
    } catch (e) {
      return sendPage(reply, activatePage(userCode, formToken(request, reply), invalid(e)), 400);
    }
  });

  scope.post('/activate/confirm', guard, async (request, reply) => {
    const params = requestParams(request);
    const userCode = (params.user_code ?? '').trim();
    const actor = await browserActor(request, services);
    if (!actor) return toSignIn(reply, `/activate?user_code=${encodeURIComponent(userCode)}`);
    const approve = params.decision === 'approve';
    try {
      await services.oauth.answerDeviceRequest(actor, userCode, approve);
    } catch (e) {
      return sendPage(reply, activatePage(userCode, formToken(request, reply), invalid(e)), 400);
    }
    return sendPage(reply, approve ? messagePage('Device approved', 'Your device is signed in. You may close this page.') : messagePage('Device denied', 'The device was not given access.'));
  });
}
