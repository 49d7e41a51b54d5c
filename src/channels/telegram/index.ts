export {
  createTelegramAdapter,
  type TelegramAdapter,
  type TelegramAdapterOptions,
  type TelegramWebhookRequest,
  type TelegramWebhookResponse,
} from './create-telegram-adapter';
export { DEFAULT_CONTACT_BUTTON_TEXT } from './telegram-reply-markup';
