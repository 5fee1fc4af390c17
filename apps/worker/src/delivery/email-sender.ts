import { createTransport, Transporter } from 'nodemailer';
import type { EmailMessage } from './email-message';

/** Sends through SMTP_URL with nodemailer. One pooled connection per worker; every send bounded by the timeout. */
export class EmailSender {
  private readonly transport: Transporter;

  constructor(smtpUrl: string, private readonly from: string, timeoutMs: number) {
    const url = new URL(smtpUrl);
    this.transport = createTransport({
      host: url.hostname,
      port: url.port ? Number(url.port) : url.protocol === 'smtps:' ? 465 : 587,
      secure: url.protocol === 'smtps:',
      auth: url.username ? { user: decodeURIComponent(url.username), pass: decodeURIComponent(url.password) } : undefined,
      connectionTimeout: timeoutMs,
      greetingTimeout: timeoutMs,
      socketTimeout: timeoutMs,
    });
  }

  async send(m: EmailMessage): Promise<void> {
    await this.transport.sendMail({
      from: this.from,
      to: m.to,
      subject: m.subject,
      text: m.text,
      html: m.html,
      messageId: `<${m.idempotencyId}@steward>`,
      headers: { 'X-Steward-Idempotency-Id': m.idempotencyId },
    });
  }

  close(): void {
    this.transport.close();
  }
}
