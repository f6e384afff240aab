// The browser side of sign-in: the page where a developer confirms the code Claude Code showed them
// (pre-filled, never submitted for them: RFC 8628 §5.4), and the pages that end the flow. Plain HTML,
// no script, every value escaped; the app's strict Content-Security-Policy applies, styles inline.

const STYLE =
  'body{font:16px system-ui,sans-serif;max-width:32rem;margin:4rem auto;padding:0 1rem;color:#1b1f24}' +
  'input{font:1.5rem ui-monospace,monospace;letter-spacing:.2em;width:12rem;padding:.4rem}' +
  'button{font:inherit;padding:.5rem 1.2rem;margin-top:1rem}.error{color:#b3261e}';

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

export function htmlPage(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width"><title>${escapeHtml(title)}</title><style>${STYLE}</style></head><body>${body}</body></html>`;
}

export function codeEntryPage(options: {
  userCode: string;
  csrf: string;
  provider: string;
  error?: string;
}): string {
  return htmlPage(
    'Sign in to LLM-RULES',
    `<h1>Sign in Claude Code</h1>
<p>Check that this is the code your terminal shows, then continue to sign in with ${escapeHtml(options.provider)}.</p>
${options.error ? `<p class="error">${escapeHtml(options.error)}</p>` : ''}
<form method="post" action="/device">
<label for="user_code">Code</label><br>
<input id="user_code" name="user_code" value="${escapeHtml(options.userCode)}" autocomplete="off" autocapitalize="characters" spellcheck="false" required>
<input type="hidden" name="csrf" value="${escapeHtml(options.csrf)}">
<br><button type="submit">Continue</button>
</form>`,
  );
}

export function signedInPage(email: string): string {
  return htmlPage(
    'Signed in',
    `<h1>You are signed in</h1><p>Claude Code is now signed in as <strong>${escapeHtml(email)}</strong>. You can close this tab and return to your terminal.</p>`,
  );
}

export function failedPage(message: string): string {
  return htmlPage(
    'Sign-in failed',
    `<h1>Sign-in did not complete</h1><p class="error">${escapeHtml(message)}</p><p>Run <code>/login</code> in Claude Code to start again.</p>`,
  );
}
