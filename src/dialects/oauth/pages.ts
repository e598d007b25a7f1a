/** The server-rendered pages of the browser flows (sign-in, consent, device activation). */

import { escapeHtml } from '../html.ts';

const SCOPE_TEXT: Record<string, string> = {
  user_info: 'Read your name and e-mail address',
  user_courses: 'See your courses and their assessments',
  user_scores: 'See your submissions, scores and feedback',
  user_submit: 'Submit work on your behalf',
  instructor_all: 'Act as you in the courses you teach (rosters, groups, scores)',
  admin_all: 'Act as you as an administrator (create courses)',
};

function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)} · Assay</title>
<style>body{font-family:system-ui,sans-serif;max-width:32rem;margin:3rem auto;padding:0 1rem}label,input,button{display:block;margin:.4rem 0}.error{color:#b00020}button{padding:.4rem 1rem}</style>
</head><body><h1>${escapeHtml(title)}</h1>
${body}
</body></html>`;
}

const hidden = (fields: Record<string, string>): string =>
  Object.entries(fields)
    .map(([name, value]) => `<input type="hidden" name="${escapeHtml(name)}" value="${escapeHtml(value)}">`)
    .join('\n');

const errorLine = (error?: string): string => (error ? `<p class="error" role="alert">${escapeHtml(error)}</p>` : '');

const scopeList = (scopes: string[]): string =>
  `<ul>${scopes.map((s) => `<li><code>${escapeHtml(s)}</code>: ${escapeHtml(SCOPE_TEXT[s] ?? s)}</li>`).join('')}</ul>`;

export function signInPage(returnTo: string, error?: string): string {
  return page(
    'Sign in',
    `${errorLine(error)}<form method="post" action="/oauth/sign_in">
${hidden({ return_to: returnTo })}
<label>Username <input name="username" autocomplete="username" required autofocus></label>
<label>Password <input name="password" type="password" autocomplete="current-password" required></label>
<button type="submit">Sign in</button>
</form>`,
  );
}

/** The authorization-code consent: the same form approves or denies; `fields` carry the form token. */
export function consentPage(clientName: string, scopes: string[], fields: Record<string, string>, action: string): string {
  return page(
    'Authorize application',
    `<p><strong>${escapeHtml(clientName)}</strong> asks to use your account. It will be able to:</p>
${scopeList(scopes)}
<form method="post" action="${escapeHtml(action)}">
${hidden(fields)}
<button type="submit" name="decision" value="approve">Authorize</button>
<button type="submit" name="decision" value="deny">Deny</button>
</form>`,
  );
}

/** `formToken`: the page's form token (forms.ts), sent back with the code. */
export function activatePage(userCode: string, formToken: string, error?: string): string {
  return page(
    'Activate a device',
    `${errorLine(error)}<p>Enter the code your device shows.</p>
<form method="post" action="/activate">
${hidden({ _csrf: formToken })}
<label>Code <input name="user_code" value="${escapeHtml(userCode)}" autocomplete="off" autocapitalize="off" spellcheck="false" required autofocus></label>
<button type="submit">Continue</button>
</form>`,
  );
}

export function messagePage(title: string, message: string): string {
  return page(title, `<p>${escapeHtml(message)}</p>`);
}

/** Out-of-band clients (`urn:ietf:wg:oauth:2.0:oob`) show the code to the user instead of redirecting. */
export function codePage(code: string): string {
  return page('Authorization code', `<p>Copy this code into the application:</p><p><code id="authorization_code">${escapeHtml(code)}</code></p>`);
}
