/**
 * Server-rendered pages of the bundled issuer. Self-contained on purpose: inline CSS only, no
 * scripts, no fonts or other assets from elsewhere (the machine may have no internet at all).
 */
const STYLE = `
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;background:#f4f5f7;color:#1f2328;margin:0}
main{max-width:340px;margin:12vh auto;padding:28px 32px;background:#fff;border-radius:8px;box-shadow:0 1px 3px rgba(0,0,0,.12)}
h1{font-size:1.3rem;margin:0 0 4px}p.sub{color:#59636e;margin:0 0 20px;font-size:.9rem}
label{display:block;font-size:.85rem;font-weight:600;margin:12px 0 4px}
input{box-sizing:border-box;width:100%;height:38px;padding:0 10px;font-size:1rem;border:1px solid #d0d7de;border-radius:6px}
button{width:100%;height:38px;margin-top:20px;border:0;border-radius:6px;background:#1f6feb;color:#fff;font-size:1rem;font-weight:600;cursor:pointer}
button.secondary{background:#eaeef2;color:#1f2328;margin-top:8px}
p.error{background:#ffebe9;border:1px solid #ff818266;color:#82071e;padding:8px 10px;border-radius:6px;font-size:.9rem}
pre{white-space:pre-wrap;word-break:break-word;font-size:.85rem}`;

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}

function layout(title: string, body: string): string {
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)} · Switchyard</title>
<style>${STYLE}</style>
</head>
<body><main>${body}</main></body>
</html>`;
}

/** Pages are inert documents: nothing may run, embed or frame them. */
export const PAGE_SECURITY_HEADERS = {
  'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'",
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-store',
} as const;

export function loginPage(input: { action: string; clientName: string; login?: string; error?: string }): string {
  const error = input.error ? `<p class="error" role="alert">${escapeHtml(input.error)}</p>` : '';
  return layout(
    'Sign in',
    `<h1>Sign in</h1>
<p class="sub">to continue to ${escapeHtml(input.clientName)}</p>
${error}
<form method="post" action="${escapeHtml(input.action)}" autocomplete="on">
<label for="login">Username or email</label>
<input id="login" name="login" type="text" autocomplete="username" required autofocus value="${escapeHtml(input.login ?? '')}">
<label for="password">Password</label>
<input id="password" name="password" type="password" autocomplete="current-password" required>
<button type="submit">Sign in</button>
</form>`,
  );
}

export function errorPage(details: Record<string, string | undefined>): string {
  const lines = Object.entries(details)
    .filter(([, value]) => value !== undefined)
    .map(([key, value]) => `<pre><strong>${escapeHtml(key)}</strong>: ${escapeHtml(value ?? '')}</pre>`)
    .join('');
  return layout('Sign-in problem', `<h1>Something went wrong</h1><p class="sub">The sign-in request could not be completed.</p>${lines}`);
}

/** `form` is oidc-provider's hidden logout form (carries its own CSRF secret). */
export function logoutPage(form: string, host: string): string {
  return layout(
    'Sign out',
    `<h1>Sign out</h1><p class="sub">Do you want to sign out from ${escapeHtml(host)}?</p>${form}
<button type="submit" form="op.logoutForm" value="yes" name="logout">Yes, sign me out</button>
<button type="submit" form="op.logoutForm" class="secondary">No, stay signed in</button>`,
  );
}

export function signedOutPage(): string {
  return layout('Signed out', '<h1>Signed out</h1><p class="sub">You have been signed out. You can close this page.</p>');
}
