/**
 * `GET {prefix}`: upstream's welcome page, for people who open the service in a browser
 * (clients never read it). It names no course and no user, so it needs no login.
 */
export function ngshareHomePage(prefix: string): string {
  const escaped = prefix.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);
  return `<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>ngshare</title></head>
<body>
<h1>ngshare</h1>
<p>This is the nbgrader exchange service (ngshare API) of Assay. Point <code>ngshare_exchange</code> at
<code>${escaped}</code> (without the trailing slash); its endpoints answer JSON.</p>
</body>
</html>
`;
}
