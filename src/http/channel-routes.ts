import type { FastifyInstance } from 'fastify';
import type { ChannelAdapter } from '../channels/types';

/** Webhook-style adapters expose a framework-neutral handler; this mounts it. */
interface WebhookCapable {
  webhookHandler(): (req: {
    headers: Record<string, string | string[] | undefined>;
    body: unknown;
  }) => Promise<{ status: number; body?: unknown }>;
}

function hasWebhook(c: ChannelAdapter): c is ChannelAdapter & WebhookCapable {
  return typeof (c as Partial<WebhookCapable>).webhookHandler === 'function';
}

/** `POST /telegram/webhook` when Telegram runs in webhook mode (the adapter checks the secret). */
export function mountChannelRoutes(app: FastifyInstance, channels: ReadonlyMap<string, ChannelAdapter>) {
  const telegram = channels.get('telegram');
  if (telegram && hasWebhook(telegram)) {
    const handle = telegram.webhookHandler();
    app.post('/telegram/webhook', async (req, reply) => {
      const res = await handle({ headers: req.headers, body: req.body });
      return reply.code(res.status).send(res.body ?? {});
    });
  }
}
