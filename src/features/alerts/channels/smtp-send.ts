// Sends an alert email over SMTP with nodemailer: a 5xx reply is a refusal, anything else is worth retrying.
// nodemailer is imported by the first email, so servers without an email channel never load it.
import type { ResolvedSmtp } from '../alert-channels.ts';
import type { AlertEmail } from './email-format.ts';
import { failure, type SendResult } from './send-result.ts';

const TIMEOUT_MS = 10_000;

export async function sendEmail(
  smtp: ResolvedSmtp,
  to: readonly string[],
  mail: AlertEmail,
): Promise<SendResult> {
  const { default: nodemailer } = await import('nodemailer');
  const transport = nodemailer.createTransport({
    host: smtp.host,
    port: smtp.port,
    secure: smtp.secure,
    ...(smtp.auth ? { auth: smtp.auth } : {}),
    connectionTimeout: TIMEOUT_MS,
    greetingTimeout: TIMEOUT_MS,
    socketTimeout: 2 * TIMEOUT_MS,
  });
  try {
    await transport.sendMail({ from: smtp.from, to: [...to], ...mail });
    return { ok: true };
  } catch (error) {
    const code = (error as { responseCode?: unknown }).responseCode;
    const message = error instanceof Error ? error.message : String(error);
    return failure(`SMTP ${smtp.host}:${smtp.port}: ${message}`, !(typeof code === 'number' && code >= 500));
  } finally {
    transport.close();
  }
}
