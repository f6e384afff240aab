// The console's sign-in pages that are not the console itself: a failed sign-in, and the break-glass
// form. Plain HTML, no script, every value escaped (verification-page.ts's page frame).
import { escapeHtml, htmlPage } from '../sign-in/verification-page.ts';

export function consoleFailedPage(message: string): string {
  return htmlPage(
    'Sign-in failed',
    `<h1>Console sign-in did not complete</h1><p class="error">${escapeHtml(message)}</p><p><a href="/console/login">Sign in again</a></p>`,
  );
}

export function breakGlassPage(options: { csrf: string; error?: string }): string {
  return htmlPage(
    'Break-glass sign-in',
    `<h1>Break-glass administrator</h1>
<p class="error">For emergencies only, when single sign-on is unavailable. Every attempt is recorded in the audit log and logged.</p>
${options.error ? `<p class="error">${escapeHtml(options.error)}</p>` : ''}
<form method="post" action="/console/break-glass">
<label for="password">Password</label><br>
<input id="password" name="password" type="password" autocomplete="current-password" required>
<input type="hidden" name="csrf" value="${escapeHtml(options.csrf)}">
<br><button type="submit">Sign in</button>
</form>`,
  );
}
